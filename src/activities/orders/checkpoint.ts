import { activityInfo } from '@temporalio/activity';
import {
  ZERO_COUNTS,
  addCounts,
  emptyTrail,
  type PageTrail,
  type SyncCounts,
} from '../../workflows/types.js';
import type { OrderPagePlan } from './plan.js';
import type { OrderPage, OrderPageInput } from './read.js';

/**
 * Progress of one page activity, kept in heartbeat details so a retried attempt resumes. Its shape
 * is what attempts of other versions of this worker resume from: never change it.
 */
export interface OrderCheckpoint {
  /** Cursor after the last Sage page whose orders are all settled. */
  cursor?: string | number;
  processed: number;
  counts: SyncCounts;
  trail: PageTrail;
  maxUniquifier?: number;
  maxDay?: string;
}

/** Where an earlier attempt of this activity stopped, or the activity's start. */
export function resumeCheckpoint(input: OrderPageInput): OrderCheckpoint {
  return (
    (activityInfo().heartbeatDetails as OrderCheckpoint | undefined) ?? {
      ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
      processed: 0,
      counts: { ...ZERO_COUNTS },
      trail: emptyTrail(),
    }
  );
}

/**
 * A Sage page's outcomes join the checkpoint only once every order of it is settled, so a retried
 * attempt that re-does the page does not count it twice.
 */
export function settlePage(cp: OrderCheckpoint, page: OrderPage, { counts, trail }: OrderPagePlan): void {
  cp.counts = addCounts(cp.counts, counts);
  for (const k of ['created', 'updated', 'unchanged'] as const) cp.trail[k].push(...trail[k]);
  cp.trail.skipped.push(...trail.skipped);
  cp.trail.failed.push(...trail.failed);
  if (trail.adjusted) (cp.trail.adjusted ??= []).push(...trail.adjusted);
  cp.processed += page.records.length + page.invalid.length + page.notFound.length;
  if (page.lastKey !== undefined) cp.cursor = page.lastKey;
}
