import { workflowInfo } from '@temporalio/workflow';
import { pageActivities } from './activity-options.js';
import type { ReconcileCustomersInput, ReconcileCustomersResult } from './reconcile-customers-job.js';

// One activity reads both sides (the audience snapshot, Sage's customer keys) and applies the policy; it heartbeats.
const comparing = pageActivities('2h');

/**
 * Handles the members of customers deleted in Sage (SYNC_CUSTOMER_DELETED: tag or archive); the
 * workflow ID is the job ID, e.g. `reconcile-customers-SAMINC-manual-2026-11-28T10:15:00Z`. Only
 * members carrying a customer number are looked at; its result holds counts and at most 100
 * member ids. Every step is idempotent (a tag set twice, an archived member left as it is), so a
 * retried activity does no harm.
 */
export async function reconcileCustomers(input: ReconcileCustomersInput): Promise<ReconcileCustomersResult> {
  const { workflowId: jobId, startTime } = workflowInfo();
  const found = await comparing.reconcileDeletedCustomers({ jobId, company: input.company });
  return {
    jobId,
    company: input.company,
    trigger: input.trigger,
    startedAt: startTime.toISOString(),
    finishedAt: new Date().toISOString(),
    ...found,
  };
}
