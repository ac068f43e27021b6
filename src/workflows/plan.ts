import type { SyncPlan } from '../domain/sync-plan.js';

/** The failure type of a job the blast-radius guard refused: nothing was written. */
export const PLAN_REFUSED = 'PlanRefusedError';

/** Input of the plan activities: the job the plan is for, read as that job would read. */
export interface PlanJobInput {
  jobId: string;
  company: string;
  full?: boolean;
  since?: string;
  pageSize?: number;
  /** Before a run's writes: the plan is checked against the SYNC_GUARD_* limits. */
  guard?: boolean;
}

/** A plan (none when SYNC_GUARD=off skipped a guard), and why the run must not write, if it must not. */
export interface PlanOutcome {
  plan?: SyncPlan;
  refusals?: string[];
}
