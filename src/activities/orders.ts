import { activityInfo, cancellationSignal, getClient, heartbeat } from '@temporalio/activity';
import type { ActivityDeps } from './deps.js';
import { resolveClients } from './clients.js';
import { maskEmail } from '../logging/mask.js';
import { MailchimpAuthError, MailchimpError } from '../mailchimp/errors.js';
import type { MailchimpClient } from '../mailchimp/client.js';
import type { ARCustomer } from '../sage300/schemas.js';
import type { Sage300Client } from '../sage300/client.js';
import { F } from '../sage300/odata.js';
import { SyncConfigurationError, toActivityFailure } from './errors.js';
import { loadWatermark } from './sync-state.js';
import {
  ZERO_COUNTS,
  addCounts,
  emptyTrail,
  type PageResult,
  type PageTrail,
  type PreparedJob,
  type SyncCounts,
  type Watermark,
  type WatermarkCandidate,
} from '../workflows/types.js';
import type { SyncPageInput } from '../workflows/sync-job.js';
import { JobCache, ReadAhead } from './job-cache.js';
import {
  dayOf,
  mapOrder,
  orderDiffers,
  removedLineIds,
  updateBody,
  type MappedOrderBody,
  type SageOrder,
} from '../domain/orders/mapping.js';
import { addDays, isNewToStore, orderFilter, orderSelect, type OrderJobPlan } from '../domain/orders/plan.js';
import type { ProductInput } from '../mailchimp/types.js';

const HEARTBEAT_EVERY_MS = 5_000;
/** Customer numbers asked per ARCustomers query (`CustomerNumber eq 'a' or ...`). */
const CUSTOMER_BATCH = 25;
const CUSTOMER_SELECT = ['CustomerNumber', 'CustomerName', 'Email', 'ContactsEmail'];

export interface OrderPageInput extends SyncPageInput {
  plan: OrderJobPlan;
}

/** Progress of one page activity, kept in heartbeat details so a retried attempt resumes. */
interface OrderCheckpoint {
  /** Cursor after the last Sage page whose orders are all settled. */
  cursor?: string | number;
  processed: number;
  counts: SyncCounts;
  trail: PageTrail;
  maxUniquifier?: number;
  maxDay?: string;
}

interface FetchedPage {
  records: SageOrder[];
  lastKey?: string | number;
  done: boolean;
  customers: Map<string, ARCustomer | undefined>;
  notFound: string[];
}

type Outcome = 'created' | 'updated' | 'unchanged';

function throwIfCancelled(): void {
  const signal = cancellationSignal();
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('activity cancelled');
}

/** Runs `fn` with at most `limit` calls in flight (the Mailchimp client queues beyond its cap anyway). */
async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

const productFingerprint = (p: ProductInput) => JSON.stringify([p.title, p.variants[0]?.sku]);

/**
 * Orders completed on or after this day are read again: the day before the last successful job
 * started. A watermark written before readDay existed falls back to two days before its commit (one
 * of margin, one for a job that ran across midnight).
 */
function completedSince(wm: Watermark | undefined): string | undefined {
  if (wm?.readDay) return wm.readDay;
  return wm?.committedAt ? addDays(wm.committedAt.slice(0, 10), -2) : undefined;
}

/**
 * Orders that cannot be sent until someone fixes the customer in Sage: recorded `failed` (not
 * `skipped`) so `replay` re-reads and sends them once fixed; the watermark still moves past them.
 */
const DATA_FIXABLE: ReadonlySet<string> = new Set(['no-valid-email', 'customer-missing']);

/** From this activity attempt on, a transient failure is recorded on its record instead of retried. */
const LATE_ATTEMPT = 3;

interface RecordFailure {
  reason: string;
  status?: number;
  retryable?: boolean;
}

/**
 * Whether a Mailchimp error concerns only the record being written: anything but bad credentials
 * that retrying cannot fix (400, 404, 405, an unexpected answer...), and, on a late attempt, a
 * transient one (5xx, 429, a reset) so the page completes and the record can be replayed instead
 * of failing every run. Anything else is thrown: auth errors stop the job, early transient ones are
 * retried by Temporal.
 */
function asRecordFailure(err: unknown): RecordFailure | undefined {
  if (!(err instanceof MailchimpError) || err instanceof MailchimpAuthError) return undefined;
  if (err.retryable && activityInfo().attempt < LATE_ATTEMPT) return undefined;
  const said = [err.title, err.detail].filter(Boolean).join(': ') || err.message;
  return {
    reason: maskEmail(err.retryable ? `(retryable) ${said}` : said) || 'rejected',
    ...(err.status ? { status: err.status } : {}),
    ...(err.retryable ? { retryable: true } : {}),
  };
}

/**
 * Order activities: store setup (prepareOrderJob), turning the store's is_syncing on for a backfill
 * (startOrderBackfill), one chunk of orders (syncOrderPage) and turning it off (finishOrderBackfill).
 */
export function createOrderSyncActivities(deps: ActivityDeps) {
  const clients = resolveClients(deps);
  // Per job: products already upserted (id -> fingerprint) and customers already read from Sage.
  // Kept across the job's page activities on this worker; a restarted worker simply upserts again.
  const products = new JobCache<string>(20, 200_000);
  const customers = new JobCache<ARCustomer | null>(20, 200_000);
  const readAhead = new ReadAhead<FetchedPage>(4, 60_000);

  /** MAILCHIMP_STORE_ID, else one store per Sage company (`sage300-saminc` style, lower-case). */
  const storeId = (company: string): string =>
    deps.config.mailchimp.storeId ?? `sage300-${company.toLowerCase()}`;
  const checkCompany = (company: string) => {
    const configured = deps.config.sage300.company;
    if (configured && configured.toUpperCase() !== company.toUpperCase()) {
      throw new SyncConfigurationError(
        `job is for company ${company} but this worker is configured for ${configured} (SAGE300_COMPANY)`,
      );
    }
  };

  async function homeCurrency(sage: Sage300Client): Promise<string> {
    const configured = deps.config.sync.orderStoreCurrency;
    if (configured) return configured;
    const page = await sage.getPage('orders', { select: ['OrderUniquifier', 'OrderHomeCurrency'], top: 1 });
    const found = page.records[0]?.OrderHomeCurrency?.trim().toUpperCase();
    if (found && /^[A-Z]{3}$/.test(found)) return found;
    throw new SyncConfigurationError(
      'cannot tell the store currency: Sage has no orders yet; set SYNC_ORDER_STORE_CURRENCY (for example USD)',
    );
  }

  async function lookupCustomers(
    sage: Sage300Client,
    jobId: string,
    numbers: Iterable<string>,
  ): Promise<Map<string, ARCustomer | undefined>> {
    const cache = customers.forJob(jobId);
    const out = new Map<string, ARCustomer | undefined>();
    const missing: string[] = [];
    for (const n of new Set(numbers)) {
      const hit = cache.get(n);
      if (hit !== undefined) out.set(n, hit ?? undefined);
      else missing.push(n);
    }
    for (let i = 0; i < missing.length; i += CUSTOMER_BATCH) {
      const batch = missing.slice(i, i + CUSTOMER_BATCH);
      const page = await sage.getPage('customers', {
        filter: F.or(...batch.map((n) => F.eq('CustomerNumber', n))),
        select: CUSTOMER_SELECT,
        top: batch.length,
      });
      const found = new Map(page.records.map((c) => [c.CustomerNumber.trim(), c]));
      for (const n of batch) {
        const c = found.get(n);
        cache.set(n, c ?? null);
        out.set(n, c);
      }
    }
    return out;
  }

  async function fetchPage(
    sage: Sage300Client,
    input: OrderPageInput,
    after: string | number | undefined,
  ): Promise<FetchedPage> {
    const { plan } = input;
    let records: SageOrder[];
    let lastKey: string | number | undefined;
    let done: boolean;
    const notFound: string[] = [];
    if (input.keys) {
      records = [];
      for (const key of input.keys) {
        const numeric = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : key;
        const found = await sage.getByKey('orders', numeric);
        if (found) records.push(found);
        else notFound.push(String(key));
      }
      done = true;
    } else {
      const page = await sage.keysetPage('orders', {
        ...(after !== undefined ? { after } : {}),
        filter: orderFilter(plan),
        select: orderSelect(plan),
        ...(input.pageSize ? { top: input.pageSize } : {}),
      });
      records = page.records;
      lastKey = page.lastKey;
      done = page.done;
    }
    const numbers = records.map((o) => o.CustomerNumber?.trim()).filter((n): n is string => Boolean(n));
    return { records, lastKey, done, notFound, customers: await lookupCustomers(sage, input.jobId, numbers) };
  }

  async function ensureProducts(
    mailchimp: MailchimpClient,
    jobId: string,
    store: string,
    wanted: ProductInput[],
  ): Promise<Map<string, RecordFailure>> {
    const cache = products.forJob(jobId);
    const todo = wanted.filter((p) => cache.get(p.id) !== productFingerprint(p));
    const failed = new Map<string, RecordFailure>();
    await forEachLimited(todo, mailchimp.maxConnections, async (p) => {
      try {
        await mailchimp.upsertProduct(store, p);
        cache.set(p.id, productFingerprint(p));
      } catch (err) {
        // One refused product fails only the orders that use it (not cached: tried again next page).
        const failure = asRecordFailure(err);
        if (!failure) throw err;
        failed.set(p.id, failure);
      }
    });
    return failed;
  }

  /** New orders are created (POST, PATCH if it exists); known ones are compared and PATCHed only when different. */
  async function writeOrder(
    mailchimp: MailchimpClient,
    plan: OrderJobPlan,
    uniquifier: number,
    body: MappedOrderBody,
  ): Promise<Outcome> {
    const current = isNewToStore(plan, uniquifier)
      ? undefined
      : await mailchimp.getOrder(plan.storeId, body.id);
    if (!current) return mailchimp.upsertOrder(plan.storeId, body, updateBody(body));
    const differs = orderDiffers(body, current);
    const removed = removedLineIds(body, current);
    if (!differs && removed.length === 0) return 'unchanged';
    if (differs) await mailchimp.updateOrder(plan.storeId, body.id, updateBody(body));
    for (const lineId of removed) await mailchimp.deleteOrderLine(plan.storeId, body.id, lineId);
    return 'updated';
  }

  return {
    /**
     * Once per job: the store exists (created in the company's currency when missing) and the job's
     * polling bounds are fixed from the watermark. It changes nothing else in the store: a backfill's
     * is_syncing is turned on by startOrderBackfill, which the workflow calls only once it holds the
     * plan, so whatever happens next its `finally` knows to turn it off.
     */
    async prepareOrderJob(args: {
      jobId: string;
      company: string;
      full?: boolean;
      since?: string;
      replay?: boolean;
      /** YYYY-MM-DD the job started (from the workflow, deterministic); the worker's clock if absent. */
      today?: string;
    }): Promise<PreparedJob> {
      try {
        checkCompany(args.company);
        const listId = deps.config.mailchimp.listId;
        if (!listId)
          throw new SyncConfigurationError('MAILCHIMP_LIST_ID is not set: the store is tied to an audience');
        const store = storeId(args.company);
        const sage = await clients.sage300();
        const mailchimp = await clients.mailchimp();
        const existing = await mailchimp.getStore(store);
        if (!existing || existing.list_id !== listId) {
          await mailchimp.ensureStore({
            id: store,
            listId,
            name: `Sage 300 ${args.company}`,
            currencyCode: await homeCurrency(sage),
          });
        }
        const wm = await loadWatermark(deps.temporalClient ?? getClient(), 'orders', args.company);
        const today = args.today ?? new Date().toISOString().slice(0, 10);
        const backfill = !args.replay && !args.since && (Boolean(args.full) || !wm);
        const s = deps.config.sync;
        const plan: OrderJobPlan = {
          storeId: store,
          backfill,
          ...(wm?.maxUniquifier !== undefined && !backfill ? { knownUpTo: wm.maxUniquifier } : {}),
          ...(args.since ? { fromDay: args.since } : !backfill && wm ? { fromDay: wm.day } : {}),
          ...(!backfill && !args.replay ? { lookbackFromDay: addDays(today, -s.orderLookbackDays) } : {}),
          ...(!backfill && completedSince(wm) ? { completedSinceDay: completedSince(wm) } : {}),
          includeQuotes: s.orderIncludeQuotes,
          ...(s.orderCampaignField ? { campaignField: s.orderCampaignField } : {}),
          chunkSize: s.orderChunkSize,
          today,
        };
        deps.logger.info(
          { jobId: args.jobId, storeId: store, backfill, knownUpTo: plan.knownUpTo, fromDay: plan.fromDay },
          'order job prepared',
        );
        return { duplicateOf: {}, duplicateGroups: 0, orders: plan };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /** A backfill's first step after its plan: no order notifications or automations for old orders. */
    async startOrderBackfill(args: { jobId: string; storeId: string }): Promise<void> {
      try {
        const mailchimp = await clients.mailchimp();
        await mailchimp.setStoreSyncing(args.storeId, true);
        deps.logger.info({ jobId: args.jobId, storeId: args.storeId }, 'store is_syncing set');
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /** Always run at the end of a backfill (success, failure or cancellation): automations fire again. */
    async finishOrderBackfill(args: { jobId: string; storeId: string }): Promise<void> {
      try {
        const mailchimp = await clients.mailchimp();
        await mailchimp.setStoreSyncing(args.storeId, false);
        deps.logger.info({ jobId: args.jobId, storeId: args.storeId }, 'store is_syncing cleared');
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /**
     * Up to `plan.chunkSize` orders (several Sage pages, the next one read while the current one
     * is written): products first (once per job), then each order, with the customer carried inline
     * (Mailchimp creates or updates the e-commerce customer from it: no request per customer).
     */
    async syncOrderPage(input: OrderPageInput): Promise<PageResult> {
      const { plan } = input;
      try {
        checkCompany(input.company);
        const sage = await clients.sage300();
        const mailchimp = await clients.mailchimp();
        const saved = activityInfo().heartbeatDetails as OrderCheckpoint | undefined;
        const cp: OrderCheckpoint = saved ?? {
          ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
          processed: 0,
          counts: { ...ZERO_COUNTS },
          trail: emptyTrail(),
        };
        const options = { includeQuotes: plan.includeQuotes, campaignField: plan.campaignField };
        let done = false;
        heartbeat(cp);
        const timer = setInterval(() => heartbeat(cp), HEARTBEAT_EVERY_MS);
        try {
          let next: Promise<FetchedPage> | undefined =
            (!input.keys && readAhead.take(input.jobId, cp.cursor)) || fetchPage(sage, input, cp.cursor);
          while (next) {
            const page: FetchedPage = await next;
            next = undefined;
            throwIfCancelled();
            // Read the next Sage page while this one is written (also across the chunk boundary: the
            // job's next activity, usually on this worker, picks it up instead of waiting for Sage).
            const ahead = !page.done && !input.keys ? fetchPage(sage, input, page.lastKey) : undefined;
            // A rejected read-ahead is awaited (and thrown) when used; never leave it unhandled.
            ahead?.catch(() => undefined);
            if (cp.processed + page.records.length < plan.chunkSize) next = ahead;
            else if (ahead) readAhead.put(input.jobId, page.lastKey, ahead);

            // Outcomes of this Sage page join the checkpoint only once the page is settled, so a
            // retried attempt that re-does the page does not count it twice.
            const counts: SyncCounts = { ...ZERO_COUNTS };
            const trail = emptyTrail();
            for (const key of page.notFound) {
              counts.read++;
              counts.skipped++;
              trail.skipped.push({ key, reason: 'not found in Sage' });
            }
            const toWrite: Array<{
              key: string;
              uniquifier: number;
              body: MappedOrderBody;
              productIds: string[];
            }> = [];
            const wantedProducts = new Map<string, ProductInput>();
            for (const order of page.records) {
              const key = String(order.OrderUniquifier);
              counts.read++;
              cp.maxUniquifier = Math.max(cp.maxUniquifier ?? order.OrderUniquifier, order.OrderUniquifier);
              if (order.OrderDate) {
                const day = dayOf(order.OrderDate) > plan.today ? plan.today : dayOf(order.OrderDate);
                if (!cp.maxDay || day > cp.maxDay) cp.maxDay = day;
              }
              const customer = page.customers.get(order.CustomerNumber?.trim() ?? '');
              const mapped = mapOrder(order, customer, options);
              if (!mapped.ok && DATA_FIXABLE.has(mapped.reason)) {
                // Fixed in Sage (an email added, the customer restored), it is sent by a replay.
                counts.failed++;
                trail.failed.push({ key, reason: mapped.reason, mailchimpId: order.OrderNumber?.trim() });
                continue;
              }
              if (!mapped.ok) {
                counts.skipped++;
                trail.skipped.push({
                  key,
                  reason: mapped.reason,
                  ...(order.OrderNumber ? { mailchimpId: order.OrderNumber } : {}),
                });
                continue;
              }
              for (const p of mapped.products) if (!wantedProducts.has(p.id)) wantedProducts.set(p.id, p);
              toWrite.push({
                key,
                uniquifier: order.OrderUniquifier,
                body: mapped.order,
                productIds: mapped.products.map((p) => p.id),
              });
            }

            const failedProducts = await ensureProducts(mailchimp, input.jobId, plan.storeId, [
              ...wantedProducts.values(),
            ]);
            const fail = (w: (typeof toWrite)[number], f: RecordFailure) => {
              counts.failed++;
              trail.failed.push({
                key: w.key,
                mailchimpId: w.body.id,
                email: maskEmail(w.body.customer.email_address),
                reason: f.reason,
                ...(f.status ? { status: f.status } : {}),
                ...(f.retryable ? { retryable: true } : {}),
              });
            };
            await forEachLimited(toWrite, mailchimp.maxConnections * 2, async (w) => {
              throwIfCancelled();
              const badProduct = w.productIds.find((id) => failedProducts.has(id));
              if (badProduct !== undefined) {
                const f = failedProducts.get(badProduct)!;
                fail(w, { ...f, reason: `product ${badProduct} rejected: ${f.reason}` });
                return;
              }
              try {
                const outcome = await writeOrder(mailchimp, plan, w.uniquifier, w.body);
                counts[outcome]++;
                trail[outcome].push(w.key);
              } catch (err) {
                const failure = asRecordFailure(err);
                if (!failure) throw err;
                fail(w, failure);
              }
            });

            cp.counts = addCounts(cp.counts, counts);
            for (const k of ['created', 'updated', 'unchanged'] as const) cp.trail[k].push(...trail[k]);
            cp.trail.skipped.push(...trail.skipped);
            cp.trail.failed.push(...trail.failed);
            cp.processed += page.records.length + page.notFound.length;
            if (page.lastKey !== undefined) cp.cursor = page.lastKey;
            heartbeat(cp);
            if (page.done || input.keys) done = true;
          }
        } finally {
          clearInterval(timer);
        }
        const seen: WatermarkCandidate = { fingerprints: [] };
        const day = [plan.fromDay && !plan.backfill ? plan.fromDay : undefined, cp.maxDay]
          .filter((d): d is string => Boolean(d))
          .sort()
          .pop();
        if (day && !input.keys) seen.day = day;
        const maxU = Math.max(plan.knownUpTo ?? -1, cp.maxUniquifier ?? -1);
        if (maxU >= 0 && !input.keys) seen.maxUniquifier = maxU;
        // Orders completed from the day before this job started on are read by the next job: one
        // day of margin for a completion between the start and the read, or time zones.
        if (!input.keys) seen.readDay = addDays(plan.today, -1);
        return {
          counts: cp.counts,
          trail: cp.trail,
          ...(cp.cursor !== undefined ? { cursor: cp.cursor } : {}),
          done,
          seen,
        };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}
