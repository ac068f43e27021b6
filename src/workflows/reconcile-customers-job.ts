import { jobIdTime } from './job-id.js';
import type { ReconcileTrigger } from './reconcile-job.js';

/** By name, so the starter and schedules need not import workflow code. */
export const RECONCILE_CUSTOMERS_WORKFLOW_TYPE = 'reconcileCustomers';

/** Input of reconcileCustomers: no credentials, no records. */
export interface ReconcileCustomersInput {
  company: string;
  trigger: ReconcileTrigger;
}

/** Member ids (subscriber hashes) listed in a result at most; the counts are always whole. */
export const MAX_LISTED_MEMBERS = 100;

/** What the comparison found and did: counts, and a bounded list of member ids (never addresses). */
export interface CustomerReconciliation {
  policy: 'tag' | 'archive';
  /** Customer keys Sage has. */
  sageCustomers: number;
  /** Members carrying a customer number. */
  ownedMembers: number;
  /** Members whose customer number Sage no longer has (archived ones included, left as they are). */
  gone: number;
  tagged: number;
  archived: number;
  /** Already archived in Mailchimp: nothing to do. */
  alreadyArchived: number;
  failed: Array<{ memberId: string; reason: string; status?: number }>;
  /** The first MAX_LISTED_MEMBERS members handled (ids). */
  members: string[];
}

export interface ReconcileCustomersResult extends CustomerReconciliation {
  jobId: string;
  company: string;
  trigger: ReconcileTrigger;
  startedAt: string;
  finishedAt: string;
}

/** `reconcile-customers-SAMINC-manual-2026-11-28T10:15:00Z`: the sync jobs' grammar, `<kind>-<company>-<trigger>-<time>`. */
export function reconcileCustomersJobId(company: string, date: Date, trigger: ReconcileTrigger): string {
  return `reconcile-customers-${company}-${trigger}-${jobIdTime(date)}`;
}

/** The schedule appends `-<nominal time>`. */
export function scheduledReconcileCustomersIdPrefix(company: string): string {
  return `reconcile-customers-${company}-schedule`;
}

/** `ml-connector-reconcile-customers-SAMINC`. */
export function reconcileCustomersScheduleId(company: string): string {
  return `ml-connector-reconcile-customers-${company}`;
}
