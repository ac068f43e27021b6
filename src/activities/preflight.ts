import type { AppConfig } from '../config/index.js';
import { guardRefusals, type SyncPlan } from '../domain/sync-plan.js';
import type { PlanJobInput, PlanOutcome } from '../workflows/plan.js';

/** `plan`: only counting (`sync --plan`); `guard`: counting before a run's writes; `off`: no plan at all. */
export function guardOf(config: AppConfig, input: PlanJobInput): 'plan' | 'guard' | 'off' {
  if (!input.guard) return 'plan';
  return config.sync.guard === 'off' ? 'off' : 'guard';
}

/** The guard's refusals of this plan under the SYNC_GUARD_* limits (none for a plain plan). */
export function guardVerdict(
  config: AppConfig,
  mode: 'plan' | 'guard',
  plan: SyncPlan,
): Pick<PlanOutcome, 'refusals'> {
  if (mode !== 'guard') return {};
  const refusals = guardRefusals(plan, {
    maxChangedPercent: config.sync.guardMaxChangedPercent,
    maxArchivedPercent: config.sync.guardMaxArchivedPercent,
    statusChanges: config.sync.guardStatusChanges,
  });
  return refusals.length > 0 ? { refusals } : {};
}
