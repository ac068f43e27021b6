import { workflowInfo } from '@temporalio/workflow';
import type { SyncPlan } from '../domain/sync-plan.js';
import type { SyncJobInput } from './types.js';
import type { PlanJobInput } from './plan.js';
import { pageActivities } from './activity-options.js';

// A plan reads every page the run would (it heartbeats), and one member or order per write.
const plans = pageActivities('2h');

/** Plan activities' input from a job's (shared with the guard in sync-job.ts). */
export function planInput(jobId: string, input: SyncJobInput): PlanJobInput {
  return {
    jobId,
    company: input.company,
    ...(input.full ? { full: true } : {}),
    ...(input.since ? { since: input.since } : {}),
    ...(input.pageSize ? { pageSize: input.pageSize } : {}),
  };
}

/**
 * `sync <stream> --plan`: what the run would do, read from Sage and Mailchimp, nothing written. A
 * job of its own (`plan-customers-SAMINC-manual-...`), its plan its result.
 */
export async function syncPlan(input: SyncJobInput): Promise<SyncPlan> {
  const args = planInput(workflowInfo().workflowId, input);
  const outcome =
    input.stream === 'customers' ? await plans.planCustomerSync(args) : await plans.planOrderSync(args);
  return outcome.plan!;
}

/** The guard's step in a sync job: its plan, checked against the SYNC_GUARD_* limits. */
export function guardStep(stream: SyncJobInput['stream']) {
  return (args: PlanJobInput) =>
    stream === 'customers' ? plans.planCustomerSync(args) : plans.planOrderSync(args);
}
