import { CancellationScope, ContinueAsNew, workflowInfo } from '@temporalio/workflow';
import type { OrderJobPlan } from '../domain/orders/plan.js';
import type { SyncJobInput, SyncJobResult } from './types.js';
import { cleanupActivities, pageActivities, setupActivities, stateActivities } from './activity-options.js';
import { runSyncJob } from './sync-job.js';
import { withStreamLock } from './stream-lock.js';
import { guardStep } from './sync-plan.js';

// A chunk reads up to SYNC_ORDER_CHUNK_SIZE orders; it heartbeats after every Sage page and every 5 s.
const pages = pageActivities('30m');

/**
 * Syncs one Sage 300 company's sales orders (OEOrders) into one Mailchimp e-commerce store. The
 * workflow ID is the job ID, e.g. `orders-SAMINC-manual-2026-11-27T14:30:00Z`. A backfill (`--full`,
 * or a company's first job) turns the store's is_syncing on once its plan is known, and off
 * whatever happens: success, failure or cancellation (only a terminate, which runs no workflow
 * code, can skip it). It does so while holding the stream, so no other order job of the company
 * can turn it on or off meanwhile.
 */
export async function orderSync(input: SyncJobInput): Promise<SyncJobResult> {
  const job: SyncJobInput = { ...input, stream: 'orders' };
  return withStreamLock(job, async (holdsLock) => {
    let plan: OrderJobPlan | undefined = input.carry?.prepared?.orders;
    let continuing = false;
    try {
      return await runSyncJob(
        job,
        {
          async prepare({ jobId, input: job }) {
            const prepared = await setupActivities.prepareOrderJob({
              jobId,
              company: job.company,
              ...(job.full ? { full: true } : {}),
              ...(job.since ? { since: job.since } : {}),
              ...(job.keys ? { replay: true } : {}),
              // Only a job holding its stream may clear an is_syncing left on by an earlier backfill.
              ...(holdsLock ? { holdsStream: true } : {}),
              // The day the job started (workflow time, deterministic): its lookback and read day.
              today: workflowInfo().startTime.toISOString().slice(0, 10),
            });
            plan = prepared.orders;
            // Only now, with the plan known to the `finally` below, may the store's is_syncing go on.
            if (plan?.backfill) {
              await setupActivities.startOrderBackfill({ jobId, storeId: plan.storeId });
            }
            return prepared;
          },
          page: (p) => pages.syncOrderPage({ ...p, plan: plan! }),
          readWatermark: (a) => stateActivities.readWatermark(a),
          commitWatermark: (a) => stateActivities.commitWatermark(a),
          plan: guardStep('orders'),
        },
        { holdsLock },
      );
    } catch (err) {
      if (err instanceof ContinueAsNew) continuing = true;
      throw err;
    } finally {
      if (plan?.backfill && !continuing) {
        const args = { jobId: workflowInfo().workflowId, storeId: plan.storeId };
        await CancellationScope.nonCancellable(() => cleanupActivities.finishOrderBackfill(args));
      }
    }
  });
}
