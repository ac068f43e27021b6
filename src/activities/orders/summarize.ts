import {
  ZERO_COUNTS,
  addCounts,
  emptyTrail,
  type PagePartial,
  type PageResult,
  type PageTrail,
  type SyncCounts,
  type WatermarkCandidate,
} from '../../workflows/types.js';
import { chunkSeen } from '../../domain/orders/page.js';
import type { OrderCheckpoint } from './checkpoint.js';
import type { OrderPagePlan } from './plan.js';
import type { OrderPageInput } from './read.js';

/**
 * The checkpoint as heartbeated: also the orders earlier attempts created in a Sage page they did
 * not settle. A retry sends those again and Mailchimp answers "exists" (updated) or the comparison
 * finds them unchanged; the job created them. Optional, so checkpoints of other versions resume.
 */
export interface ResumableOrderCheckpoint extends OrderCheckpoint {
  createdBefore?: string[];
}

/** What to heartbeat: the checkpoint, with what the page being written has created so far. */
export function withCreatedBefore(
  cp: ResumableOrderCheckpoint,
  inFlight: OrderPagePlan | undefined,
): ResumableOrderCheckpoint {
  const created = inFlight?.trail.created ?? [];
  if (created.length === 0) return cp;
  return { ...cp, createdBefore: [...new Set([...(cp.createdBefore ?? []), ...created])] };
}

/** Orders an earlier attempt created count as created, whatever the retry's write answered. */
function asCreatedBefore(counts: SyncCounts, trail: PageTrail, createdBefore: readonly string[] = []) {
  const before = new Set(createdBefore);
  if (before.size === 0) return { counts, trail };
  const out = { counts: { ...counts }, trail: { ...trail, created: [...trail.created] } };
  for (const action of ['updated', 'unchanged'] as const) {
    const moved = trail[action].filter((key) => before.has(key));
    if (moved.length === 0) continue;
    out.trail[action] = trail[action].filter((key) => !before.has(key));
    out.trail.created.push(...moved);
    out.counts[action] -= moved.length;
    out.counts.created += moved.length;
  }
  return out;
}

/** The chunk's result: counts, trail and cursor from the checkpoint, and what the watermark learns. */
export function summarizeOrderChunk(
  input: OrderPageInput,
  cp: ResumableOrderCheckpoint,
  done: boolean,
): PageResult {
  const seen: WatermarkCandidate = { fingerprints: [], ...chunkSeen(input.plan, cp, Boolean(input.keys)) };
  return {
    ...asCreatedBefore(cp.counts, cp.trail, cp.createdBefore),
    ...(cp.cursor !== undefined ? { cursor: cp.cursor } : {}),
    done,
    seen,
  };
}

/** A failed chunk: the pages it settled and what the page being written had done when it failed. */
export function partialOrderChunk(
  cp: ResumableOrderCheckpoint,
  inFlight: OrderPagePlan | undefined,
): PagePartial {
  const page = inFlight ?? { counts: ZERO_COUNTS, trail: emptyTrail() };
  const trail: PageTrail = {
    created: [...cp.trail.created, ...page.trail.created],
    updated: [...cp.trail.updated, ...page.trail.updated],
    unchanged: [...cp.trail.unchanged, ...page.trail.unchanged],
    skipped: [...cp.trail.skipped, ...page.trail.skipped],
    failed: [...cp.trail.failed, ...page.trail.failed],
  };
  return asCreatedBefore(addCounts(cp.counts, page.counts), trail, cp.createdBefore);
}
