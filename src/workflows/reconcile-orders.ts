import { workflowInfo } from '@temporalio/workflow';
import { repairPlan } from '../domain/reconcile/repair.js';
import { pageActivities, setupActivities } from './activity-options.js';
import type { CancelOutcome, ReconcileInput, ReconcileResult } from './reconcile-job.js';

// One activity reads both sides (every order of the store, Sage's of the period); it heartbeats.
const comparing = pageActivities('2h');

/**
 * Reconciles one company's orders with its Mailchimp store, day by day; the workflow ID is the job
 * ID, e.g. `reconcile-orders-SAMINC-manual-2026-11-28T10:15:00Z`. The comparison is one activity whose
 * result is the per-day table and the differing orders, bounded (src/domain/reconcile/types.ts);
 * no other record crosses the history. It only reads and claims no stream, so it may run beside
 * an order job (a day may then differ because that job is half-way). With `repair`, the store
 * orders gone from Sage are then cancelled when SYNC_RECONCILE_GONE=cancel (never from a truncated
 * list); the missing and different orders are re-sent by a normal order job that the starter starts
 * from this result (src/starter/reconcile.ts).
 */
export async function reconcileOrders(input: ReconcileInput): Promise<ReconcileResult> {
  const { workflowId: jobId, startTime } = workflowInfo();
  const startedAt = startTime.toISOString();
  const comparison = await comparing.compareOrders({
    jobId,
    company: input.company,
    ...(input.from ? { from: input.from } : {}),
    ...(input.to ? { to: input.to } : {}),
    today: startedAt.slice(0, 10),
  });
  let cancellation: CancelOutcome | undefined;
  const gone = repairPlan(comparison).gone;
  if (input.repair && comparison.gonePolicy === 'cancel' && !comparison.truncated && gone.length > 0) {
    cancellation = await setupActivities.cancelGoneOrders({
      jobId,
      storeId: comparison.storeId,
      orderIds: gone,
      // The job's start: the same on every attempt, so a repeated cancel changes nothing.
      at: startedAt,
    });
  }
  return {
    jobId,
    company: input.company,
    trigger: input.trigger,
    repair: Boolean(input.repair),
    startedAt,
    finishedAt: new Date().toISOString(),
    ...comparison,
    ...(cancellation ? { cancellation } : {}),
  };
}
