import type { SyncStream } from './record-failure.js';

/** Samples a plan keeps: enough to recognise a bad import, small enough for workflow history. */
export const PLAN_SAMPLES = 5;

/** One record a plan shows as an example (masked address, never the record). */
export interface PlanSample {
  key: string;
  email?: string;
  action: 'create' | 'update' | 'email change';
  fields?: string[];
}

/**
 * What a sync run would do, counted without writing (`sync --plan`, and the guard before a
 * scheduled run). Counts and a few samples only: it travels through workflow history.
 */
export interface SyncPlan {
  stream: SyncStream;
  company: string;
  read: number;
  /** Members or orders the run would create. */
  create: number;
  /** Existing members or orders the run would write (the run counts them updated). */
  update: number;
  /** Of `update`: those whose content actually differs (the guard's measure). */
  changed: number;
  unchanged: number;
  skipped: number;
  failed: number;
  /** Customers whose member would move to a new address. */
  emailChanges: number;
  /** Members the run would archive (a sync never does: always 0 for it). */
  archives: number;
  /** Existing members whose status the run would change (archived members restored). */
  statusChanges: number;
  /** What the percentages are of: the audience's members, or the orders of the store the run reads. */
  existing: number;
  /** Field (merge tag, `email`, `tags`, order field) -> records whose value would change. */
  fields: Record<string, number>;
  samples: PlanSample[];
  /**
   * Orders: per currency, the order_total the store would gain (created) or move by (updated).
   * Kept apart: totals in different currencies do not add up.
   */
  revenueDelta?: Record<string, number>;
}

/** Adds `amount` to the plan's revenue delta in `currency`, to the cent. */
export function addRevenue(plan: SyncPlan, currency: string, amount: number): void {
  const deltas = (plan.revenueDelta ??= {});
  deltas[currency] = Math.round(((deltas[currency] ?? 0) + amount) * 100) / 100;
}

export function emptyPlan(stream: SyncStream, company: string): SyncPlan {
  return {
    stream,
    company,
    read: 0,
    create: 0,
    update: 0,
    changed: 0,
    unchanged: 0,
    skipped: 0,
    failed: 0,
    emailChanges: 0,
    archives: 0,
    statusChanges: 0,
    existing: 0,
    fields: {},
    samples: [],
  };
}

/** Counts one record the run would write into the plan. */
export function planWrite(plan: SyncPlan, sample: PlanSample): void {
  if (sample.action === 'create') plan.create++;
  else plan.update++;
  if (sample.action === 'email change') plan.emailChanges++;
  if (sample.action !== 'create' && (sample.fields?.length ?? 0) > 0) plan.changed++;
  for (const f of sample.fields ?? []) plan.fields[f] = (plan.fields[f] ?? 0) + 1;
  if (plan.samples.length < PLAN_SAMPLES && (sample.action !== 'update' || sample.fields?.length))
    plan.samples.push(sample);
}

/** The most-changed fields, most first. */
export function topFields(plan: SyncPlan, n = 5): Array<[field: string, records: number]> {
  return Object.entries(plan.fields)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, n);
}

export function percentOf(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0;
}

/** The guard's limits (SYNC_GUARD_* settings). */
export interface GuardLimits {
  maxChangedPercent: number;
  maxArchivedPercent: number;
  /** Status changes allowed (0: any refuses). */
  statusChanges: number;
}

/** Why a run with this plan must not write; empty when it may. */
export function guardRefusals(plan: SyncPlan, limits: GuardLimits): string[] {
  const reasons: string[] = [];
  const changed = percentOf(plan.changed, plan.existing);
  if (changed > limits.maxChangedPercent)
    reasons.push(
      `${plan.changed} of ${plan.existing} existing ${noun(plan)} would change (${changed}% > SYNC_GUARD_MAX_CHANGED_PERCENT=${limits.maxChangedPercent})`,
    );
  const archived = percentOf(plan.archives, plan.existing);
  if (archived > limits.maxArchivedPercent)
    reasons.push(
      `${plan.archives} of ${plan.existing} ${noun(plan)} would be archived (${archived}% > SYNC_GUARD_MAX_ARCHIVED_PERCENT=${limits.maxArchivedPercent})`,
    );
  if (plan.statusChanges > limits.statusChanges)
    reasons.push(
      `${plan.statusChanges} member status(es) would change (more than SYNC_GUARD_STATUS_CHANGES=${limits.statusChanges})`,
    );
  return reasons;
}

function noun(plan: SyncPlan): string {
  return plan.stream === 'customers' ? 'members' : 'orders';
}
