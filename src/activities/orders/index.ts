import { getClient, heartbeat } from '@temporalio/activity';
import type { PageResult, PreparedJob } from '../../workflows/types.js';
import { orderJobPlan } from '../../domain/orders/plan.js';
import type { ActivityDeps } from '../deps.js';
import { resolveClients } from '../clients.js';
import { SyncConfigurationError, toActivityFailure } from '../errors.js';
import { checkCompany, throwIfCancelled } from '../guards.js';
import { withHeartbeat } from '../heartbeat.js';
import { loadWatermark } from '../sync-state.js';
import { customerCache, productCache, refusalCache } from './caches.js';
import { resumeCheckpoint, settlePage } from './checkpoint.js';
import { planOrderPage, type OrderPagePlan } from './plan.js';
import { clearStaleSyncing, ensureOrderStore } from './prepare.js';
import { orderReadAhead, orderReader, type OrderPageInput } from './read.js';
import {
  partialOrderChunk,
  summarizeOrderChunk,
  withCreatedBefore,
  type ResumableOrderCheckpoint,
} from './summarize.js';
import { ensureProducts, writeOrders } from './write.js';

export type { OrderPageInput } from './read.js';

/**
 * Order activities: store setup (prepareOrderJob), turning the store's is_syncing on for a backfill
 * (startOrderBackfill), one chunk of orders (syncOrderPage) and turning it off (finishOrderBackfill).
 */
export function createOrderSyncActivities(deps: ActivityDeps) {
  const clients = resolveClients(deps);
  // Per job: products already upserted and customers already read from Sage, bounded (caches.ts).
  // Kept across the job's page activities on this worker; a restarted worker simply upserts again.
  const products = productCache();
  const customers = customerCache();
  const refusals = refusalCache();
  const readAhead = orderReadAhead();

  /** MAILCHIMP_STORE_ID, else one store per Sage company (`sage300-saminc` style, lower-case). */
  const storeId = (company: string): string =>
    deps.config.mailchimp.storeId ?? `sage300-${company.toLowerCase()}`;

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
      /** The job holds its stream (workflows before the stream lock do not say so). */
      holdsStream?: boolean;
    }): Promise<PreparedJob> {
      try {
        checkCompany(deps.config, args.company);
        const listId = deps.config.mailchimp.listId;
        if (!listId)
          throw new SyncConfigurationError('MAILCHIMP_LIST_ID is not set: the store is tied to an audience');
        const store = storeId(args.company);
        const sage = await clients.sage300();
        const mailchimp = await clients.mailchimp();
        const { syncing } = await ensureOrderStore(mailchimp, sage, {
          id: store,
          listId,
          company: args.company,
          currency: deps.config.sync.orderStoreCurrency,
        });
        const wm = await loadWatermark(deps.temporalClient ?? getClient(), 'orders', args.company);
        const today = args.today ?? new Date().toISOString().slice(0, 10);
        const plan = orderJobPlan({ ...args, storeId: store, today }, wm, deps.config.sync);
        if (syncing && !plan.backfill && args.holdsStream)
          await clearStaleSyncing(mailchimp, store, deps.logger, args.jobId);
        // Read while the workflow goes on to its first page activity (usually on this worker).
        if (!args.replay)
          orderReader(
            sage,
            { jobId: args.jobId, company: args.company, plan },
            customers,
            readAhead,
          ).readFirstAhead();
        deps.logger.info(
          {
            jobId: args.jobId,
            storeId: store,
            backfill: plan.backfill,
            knownUpTo: plan.knownUpTo,
            fromDay: plan.fromDay,
          },
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
        throw toActivityFailure(err, { mustFinish: true });
      }
    },

    /**
     * Up to `plan.chunkSize` orders (several Sage pages, the next one read while the current one
     * is written): products first (once per job), then each order, with the customer carried inline
     * (Mailchimp creates or updates the e-commerce customer from it: no request per customer).
     */
    async syncOrderPage(input: OrderPageInput): Promise<PageResult> {
      const { plan } = input;
      let cp: ResumableOrderCheckpoint | undefined;
      // The Sage page being written: what it created is heartbeated, so a retry that sends those
      // orders again still counts them created.
      let inFlight: OrderPagePlan | undefined;
      try {
        checkCompany(deps.config, input.company);
        const sage = await clients.sage300();
        const mailchimp = await clients.mailchimp();
        const reader = orderReader(sage, input, customers, readAhead);
        const checkpoint: ResumableOrderCheckpoint = (cp = resumeCheckpoint(input));
        return await withHeartbeat(
          () => withCreatedBefore(checkpoint, inFlight),
          async (beat) => {
            for (;;) {
              const page = await reader.pageAfter(checkpoint.cursor);
              throwIfCancelled();
              // Read the next Sage page while this one is written (across the chunk boundary too: the
              // job's next activity, usually on this worker, picks it up instead of waiting for Sage).
              reader.readAheadOf(page);
              const chunkFull = checkpoint.processed + page.records.length >= plan.chunkSize;
              const planned = (inFlight = planOrderPage(page, plan, checkpoint));
              const failedProducts = await ensureProducts(
                mailchimp,
                products,
                input.jobId,
                plan.storeId,
                planned.products,
              );
              await writeOrders(mailchimp, plan, planned, failedProducts, refusals.forJob(input.jobId));
              settlePage(checkpoint, page, planned);
              inFlight = undefined;
              beat();
              const done = page.done || Boolean(input.keys);
              if (done || chunkFull) return summarizeOrderChunk(input, checkpoint, done);
            }
          },
        );
      } catch (err) {
        if (!cp) throw toActivityFailure(err);
        heartbeat(withCreatedBefore(cp, inFlight));
        throw toActivityFailure(err, { partial: partialOrderChunk(cp, inFlight) });
      }
    },
  };
}
