import { randomBytes } from 'node:crypto';
import { MailchimpApi } from './api.js';
import { Audience, type MemberStatus, type WebhookEventType } from './audience.js';
import { BATCH_OPERATION_MS } from './batches.js';
import { SimContext } from './context.js';
import { installExtensions } from './extensions.js';
import { insertMember } from './member-writes.js';
import { oauthMetadataHandler } from './oauth.js';
import { startHttpServer } from '../../src/shared/http-server.js';
import { createSimHandler, sendSimError, type SimStats } from './server.js';
import { DEFAULT_BULK_PER_MEMBER_MS, Faults, type SimSettings } from './settings.js';
import { subscriberHash, type Json } from './validate.js';
import type { WebhookDelivery } from './webhooks.js';

export type { FaultRule, FaultSettings, SimSettings } from './settings.js';
export { DEFAULT_BULK_PER_MEMBER_MS } from './settings.js';
export { BATCH_OPERATION_MS } from './batches.js';
export type { RequestLogEntry, SimStats } from './server.js';
export type { WebhookDelivery } from './webhooks.js';
export type { WebhookEventType, MemberStatus } from './audience.js';

export interface MailchimpSimulatorOptions {
  port?: number;
  /** Defaults to a random 32-hex key with the `-us6` data-center suffix. */
  apiKey?: string;
  oauthToken?: string;
  /** Concurrent requests per credential before 429 (Mailchimp: 10). */
  maxConnections?: number;
  latencyMs?: number;
  latencyJitterMs?: number;
  /** Time each /batches operation takes, one after the other (default BATCH_OPERATION_MS). */
  batchItemLatencyMs?: number;
  /** Latency per member of a bulk call on top of `latencyMs` (default DEFAULT_BULK_PER_MEMBER_MS). */
  bulkPerMemberMs?: number;
  webhookRetryDelaysMs?: number[];
  webhookTimeoutMs?: number;
}

export interface SeedMember {
  email: string;
  status: MemberStatus;
  mergeFields?: Json;
  tags?: string[];
}

export interface SimMemberView {
  id: string;
  email: string;
  status: MemberStatus;
  mergeFields: Json;
  tags: string[];
}

/** Direct access for seeding and quick assertions; behaviour under test should be read through the API. */
export interface SimState {
  createList(opts?: { name?: string }): string;
  seedMember(listId: string, m: SeedMember): SimMemberView;
  forgetMember(listId: string, email: string): void;
  members(listId: string): SimMemberView[];
  member(listId: string, email: string): SimMemberView | undefined;
  orders(storeId: string): Json[];
  /** How many times each order id was created (a successful POST) in the store: duplicates show here. */
  orderCreations(storeId: string): ReadonlyMap<string, number>;
}

export interface MailchimpSimulator {
  apiUrl: string;
  /** `http://127.0.0.1:PORT`, what the OAuth metadata endpoint reports as api_endpoint. */
  baseUrl: string;
  apiKey: string;
  oauthToken: string;
  oauthMetadataUrl: string;
  dc: string;
  settings: SimSettings;
  state: SimState;
  faults: Faults;
  stats: SimStats;
  /** Delivers a user/admin-side event to the audience's hooks (and applies it); settles when deliveries end. */
  fireWebhookEvent(listId: string, type: WebhookEventType, data: Json): Promise<void>;
  /** Every webhook delivery attempt so far, in order. */
  readonly webhookDeliveries: readonly WebhookDelivery[];
  stop(): Promise<void>;
}

export async function startMailchimpSimulator(
  opts: MailchimpSimulatorOptions = {},
): Promise<MailchimpSimulator> {
  const apiKey = opts.apiKey ?? `${randomBytes(16).toString('hex')}-us6`;
  const dc = /-([a-z]+\d+)$/.exec(apiKey)?.[1] ?? 'us6';
  const oauthToken = opts.oauthToken ?? randomBytes(16).toString('hex');
  const settings: SimSettings = {
    latencyMs: opts.latencyMs ?? 0,
    latencyJitterMs: opts.latencyJitterMs ?? 0,
    batchItemLatencyMs: opts.batchItemLatencyMs ?? BATCH_OPERATION_MS,
    bulkPerMemberMs: opts.bulkPerMemberMs ?? DEFAULT_BULK_PER_MEMBER_MS,
    maxConnections: opts.maxConnections ?? 10,
    webhookRetryDelaysMs: opts.webhookRetryDelaysMs ?? [60_000, 300_000, 900_000, 1_800_000, 2_700_000],
    webhookTimeoutMs: opts.webhookTimeoutMs ?? 10_000,
  };
  const ctx = new SimContext();
  const api = new MailchimpApi(ctx, { dc, accountName: 'ML Connector Sandbox' });
  const ext = installExtensions(api, ctx, settings);
  const faults = new Faults();
  const stats: SimStats = { requests: 0, maxConcurrent: 0, rejected429: 0, bulkMembers: 0, bulkCostMs: 0 };
  let baseUrl = '';

  const running = await startHttpServer({
    handler: createSimHandler({
      api,
      settings,
      faults,
      stats,
      apiKey,
      oauthToken,
      dc,
      extra: async (req, res, url) => {
        if (url.pathname === '/oauth2/metadata') {
          oauthMetadataHandler(req, res, { token: oauthToken, dc, baseUrl });
          return true;
        }
        return ext.serveExtra(req, res, url);
      },
    }),
    port: opts.port,
    // Longer than clients' idle-socket timeouts, so a reused keep-alive socket is not closed under them.
    keepAliveTimeoutMs: 65_000,
    headersTimeoutMs: 66_000,
    sendError: (res, problem) => sendSimError(res, problem, dc),
  });
  baseUrl = running.origin;
  ext.setBaseUrl(baseUrl);

  const view = (aud: Audience, hash: string): SimMemberView | undefined => {
    const m = aud.members.get(hash);
    return (
      m && {
        id: m.id,
        email: m.email,
        status: m.status,
        mergeFields: { ...m.mergeFields },
        tags: [...m.tags.keys()],
      }
    );
  };

  const state: SimState = {
    createList(o = {}) {
      const aud = new Audience({
        name: o.name ?? 'Sandbox Audience',
        permission_reminder: 'You are receiving this because you bought from us.',
        email_type_option: false,
        contact: {
          company: 'Sandbox Co',
          address1: '1 Main St',
          city: 'Atlanta',
          state: 'GA',
          zip: '30301',
          country: 'US',
        },
        campaign_defaults: {
          from_name: 'Sandbox',
          from_email: 'news@sandbox.mailchimp.dev',
          subject: '',
          language: 'en',
        },
      });
      ctx.lists.set(aud.id, aud);
      return aud.id;
    },
    seedMember(listId, m) {
      const aud = ctx.list(listId);
      const writable = m.status === 'archived' ? 'subscribed' : m.status;
      const rec = insertMember(aud, {
        email: m.email,
        status: writable,
        mergeFields: m.mergeFields,
        tags: m.tags,
      });
      if (m.status === 'archived') {
        rec.statusBeforeArchive = 'subscribed';
        aud.setStatus(rec, 'archived', Date.now());
      }
      return view(aud, rec.id)!;
    },
    forgetMember(listId, email) {
      const aud = ctx.list(listId);
      const hash = subscriberHash(email);
      const m = aud.members.get(hash);
      if (m) aud.removeForever(m);
      else aud.forgotten.add(hash);
    },
    members(listId) {
      const aud = ctx.list(listId);
      return aud.order.map((m) => view(aud, m.id)!);
    },
    member(listId, email) {
      return view(ctx.list(listId), subscriberHash(email));
    },
    orders(storeId) {
      return ext.orders(storeId);
    },
    orderCreations(storeId) {
      return ext.orderCreations(storeId);
    },
  };

  return {
    apiUrl: `${baseUrl}/3.0`,
    baseUrl,
    apiKey,
    oauthToken,
    oauthMetadataUrl: `${baseUrl}/oauth2/metadata`,
    dc,
    settings,
    state,
    faults,
    stats,
    fireWebhookEvent: (listId, type, data) => ext.fireWebhookEvent(ctx.list(listId), type, data),
    get webhookDeliveries() {
      return ext.webhookDeliveries();
    },
    async stop() {
      ext.stop();
      await running.close();
    },
  };
}
