import type { Method } from 'got';
import type { MailchimpConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { credentialFrom, resolveEndpoint, type MailchimpCredential } from './datacenter.js';
import type { AudienceSnapshot } from './audience-snapshot.js';
import * as batches from './batches.js';
import { subscribeNew, type BatchSubscribeOutcome } from './batch-subscribe.js';
import * as ecommerce from './ecommerce.js';
import { MAILCHIMP_RETRY, MailchimpHttp, type RequestOptions } from './http.js';
import { MailchimpError } from './errors.js';
import { channelFor } from './limiter.js';
import { TagSegments } from './tag-segments.js';
import * as members from './members.js';
import { parseWith } from './members.js';
import type { RetryPolicy } from '../shared/http-retry.js';
import {
  listSchema,
  webhookSchema,
  type MailchimpList,
  type MailchimpMember,
  type MailchimpOrder,
  type MailchimpStore,
  type MailchimpWebhook,
  type MemberInput,
  type MemberOutcome,
  type MemberWriteResult,
  type MergeFieldSpec,
  type OrderInput,
  type OrderUpdate,
  type ProductInput,
  type StoreInput,
  type StoreOrderSummary,
  type WebhookInput,
} from './types.js';

export interface MailchimpClientOptions {
  logger?: Logger;
  /** Merge fields the sync writes: ensured (created when missing) once per list before the first member write. */
  mergeFields?: MergeFieldSpec[];
  retry?: Partial<RetryPolicy>;
}

const enc = encodeURIComponent;

export class MailchimpClient {
  private readonly ensuredLists = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly http: MailchimpHttp,
    readonly dataCenter: string,
    readonly maxConnections: number,
    private readonly timeoutMs: number,
    private readonly retry: RetryPolicy,
    private readonly options: MailchimpClientOptions,
  ) {}

  /** Resolves the data center (key suffix, or the OAuth metadata endpoint for a token) and joins the credential's shared limiter. */
  static async create(config: MailchimpConfig, opts: MailchimpClientOptions = {}): Promise<MailchimpClient> {
    const credential: MailchimpCredential = credentialFrom(config);
    const retry = { ...MAILCHIMP_RETRY, ...opts.retry };
    const { dataCenter, baseUrl } = await resolveEndpoint(config, credential, retry);
    const maxConnections = Math.min(10, Math.max(1, config.maxConnections));
    const channel = channelFor(credential.secret, maxConnections);
    const http = new MailchimpHttp({
      baseUrl,
      credential,
      channel,
      timeoutMs: config.timeoutMs,
      retry,
      logger: opts.logger,
    });
    return new MailchimpClient(http, dataCenter, channel.limiter.ceiling, config.timeoutMs, retry, opts);
  }

  get baseUrl(): string {
    return this.http.baseUrl;
  }

  request<T>(method: Method, path: string, opts?: RequestOptions): Promise<T> {
    return this.http.request<T>(method, path, opts);
  }

  async ping(): Promise<{ health_status: string }> {
    return this.http.request('GET', 'ping');
  }

  async getList(listId: string): Promise<MailchimpList> {
    return parseWith(listSchema, await this.http.request('GET', `lists/${enc(listId)}`), 'audience');
  }

  async createList(body: Record<string, unknown>): Promise<MailchimpList> {
    return parseWith(listSchema, await this.http.request('POST', 'lists', { json: body }), 'audience');
  }

  ensureMergeFields(listId: string, specs: MergeFieldSpec[]): Promise<string[]> {
    return members.ensureMergeFields(this.http, listId, specs);
  }

  async upsertMember(listId: string, m: MemberInput): Promise<MemberWriteResult> {
    await this.mergeFieldsReady(listId);
    return members.upsertMember(this.http, listId, m);
  }

  /** One outcome per input, in order; record failures are outcomes, only MailchimpAuthError is thrown. */
  async upsertMembers(listId: string, inputs: MemberInput[]): Promise<MemberOutcome[]> {
    await this.mergeFieldsReady(listId);
    return members.upsertMembers(this.http, listId, inputs, this.maxConnections);
  }

  /**
   * Adds up to 500 members new to the audience in one request, never touching one that exists
   * (`update_existing: false`); one outcome per input, in order (see batch-subscribe.ts).
   */
  async subscribeNew(listId: string, inputs: MemberInput[]): Promise<BatchSubscribeOutcome[]> {
    await this.mergeFieldsReady(listId);
    return subscribeNew(this.http, listId, inputs);
  }

  /** Tags in bulk through static segments; the segment ids live as long as the returned object. */
  tagSegments(listId: string): TagSegments {
    return new TagSegments(this.http, listId);
  }

  setMemberTags(
    listId: string,
    email: string,
    tags: { name: string; status: 'active' | 'inactive' }[],
  ): Promise<void> {
    return members.setMemberTags(this.http, listId, email, tags);
  }

  /** Tags the member with this id (subscriber hash), whatever its address. */
  tagMember(
    listId: string,
    memberId: string,
    tags: { name: string; status: 'active' | 'inactive' }[],
  ): Promise<void> {
    return members.tagMember(this.http, listId, memberId, tags);
  }

  /** Archives the member with this id (DELETE): it stops counting as a contact, its history stays. */
  async archiveMember(listId: string, memberId: string): Promise<void> {
    await this.http.request('DELETE', `lists/${enc(listId)}/members/${enc(memberId)}`);
  }

  getMember(listId: string, email: string): Promise<MailchimpMember | undefined> {
    return members.getMember(this.http, listId, email);
  }

  /** The member with this id (subscriber hash): the member a write would touch, read by `sync --plan`. */
  memberById(
    listId: string,
    memberId: string,
    fields?: readonly string[],
  ): Promise<MailchimpMember | undefined> {
    return members.memberById(this.http, listId, memberId, fields);
  }

  /** The audience's archived members (one request per 1,000 of them); `has(email)` says archived. */
  archivedMembers(listId: string): Promise<AudienceSnapshot> {
    return members.audienceSnapshot(this.http, listId, this.maxConnections, { status: 'archived' });
  }

  /** Every member's status and customer number (`customerTag`), one request per 1,000 members. */
  audienceSnapshot(listId: string, customerTag: string): Promise<AudienceSnapshot> {
    return members.audienceSnapshot(this.http, listId, this.maxConnections, { customerTag });
  }

  ensureStore(s: StoreInput): Promise<{ created: boolean; store: MailchimpStore }> {
    return ecommerce.ensureStore(this.http, s);
  }

  getStore(storeId: string): Promise<MailchimpStore | undefined> {
    return ecommerce.getStore(this.http, storeId);
  }

  setStoreSyncing(storeId: string, syncing: boolean): Promise<void> {
    return ecommerce.setStoreSyncing(this.http, storeId, syncing);
  }

  upsertProduct(storeId: string, p: ProductInput): Promise<void> {
    return ecommerce.upsertProduct(this.http, storeId, p);
  }

  /** POST, or PATCH `update` when the order exists (orders have no upsert). */
  upsertOrder(storeId: string, o: OrderInput, update: OrderUpdate): Promise<'created' | 'updated'> {
    return ecommerce.upsertOrder(this.http, storeId, o, update);
  }

  updateOrder(storeId: string, orderId: string, update: OrderUpdate): Promise<void> {
    return ecommerce.updateOrder(this.http, storeId, orderId, update);
  }

  /** A line already gone, or an API without the lines endpoint, is not an error (see ecommerce.ts). */
  deleteOrderLine(storeId: string, orderId: string, lineId: string): Promise<void> {
    return ecommerce.deleteOrderLine(this.http, storeId, orderId, lineId);
  }

  getOrder(storeId: string, orderId: string): Promise<MailchimpOrder | undefined> {
    return ecommerce.getOrder(this.http, storeId, orderId);
  }

  /** Never a delete: the order stays, marked cancelled (see ecommerce.ts). */
  cancelOrder(storeId: string, orderId: string, at: string): Promise<void> {
    return ecommerce.cancelOrder(this.http, storeId, orderId, at);
  }

  /** Every order of a store with only `fields`, pages read within the connection cap (see ecommerce.ts). */
  forEachStoreOrderPage(
    storeId: string,
    fields: readonly string[],
    onPage: (orders: StoreOrderSummary[]) => void,
    opts: { pageSize?: number; signal?: AbortSignal } = {},
  ): Promise<{ pages: number; orders: number }> {
    return ecommerce.forEachStoreOrderPage(
      this.http,
      storeId,
      { fields, concurrency: this.maxConnections, ...opts },
      onPage,
    );
  }

  async createWebhook(listId: string, w: WebhookInput): Promise<MailchimpWebhook> {
    return parseWith(
      webhookSchema,
      await this.http.request('POST', `lists/${enc(listId)}/webhooks`, { json: w }),
      'webhook',
    );
  }

  async listWebhooks(listId: string): Promise<MailchimpWebhook[]> {
    const page = await this.http.request<{ webhooks?: unknown[] }>('GET', `lists/${enc(listId)}/webhooks`);
    return (page.webhooks ?? []).map((w) => parseWith(webhookSchema, w, 'webhook'));
  }

  async deleteWebhook(listId: string, id: string): Promise<void> {
    await this.http.request('DELETE', `lists/${enc(listId)}/webhooks/${enc(id)}`);
  }

  /** The `/batches` path for backfills (the direct concurrent path is the primary one). */
  async submitBatch(ops: batches.BatchOperation[]): Promise<batches.MailchimpBatch> {
    return batches.submitBatch(this.http, ops);
  }

  getBatch(id: string): Promise<batches.MailchimpBatch> {
    return batches.getBatch(this.http, id);
  }

  waitForBatch(
    id: string,
    opts?: { pollMs?: number; timeoutMs?: number; onProgress?: (b: batches.MailchimpBatch) => void },
  ): Promise<batches.MailchimpBatch> {
    return batches.waitForBatch(this.http, id, opts);
  }

  /** One result per operation, from the batch's archive (pass the finished batch or its response_body_url). */
  fetchBatchResults(batch: batches.MailchimpBatch | string): Promise<batches.BatchOperationResult[]> {
    const url = typeof batch === 'string' ? batch : batch.response_body_url;
    if (!url) throw new MailchimpError('the batch has no results yet (response_body_url is empty)');
    return batches.fetchBatchResults(url, this.timeoutMs, this.retry);
  }

  private async mergeFieldsReady(listId: string): Promise<void> {
    const specs = this.options.mergeFields;
    if (!specs || specs.length === 0) return;
    let ready = this.ensuredLists.get(listId);
    if (!ready) {
      ready = members.ensureMergeFields(this.http, listId, specs);
      this.ensuredLists.set(listId, ready);
      ready.catch(() => this.ensuredLists.delete(listId)); // try again on the next write
    }
    await ready;
  }
}
