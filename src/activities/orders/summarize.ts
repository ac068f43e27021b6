import type { PageResult, WatermarkCandidate } from '../../workflows/types.js';
import { chunkSeen } from '../../domain/orders/page.js';
import type { OrderCheckpoint } from './checkpoint.js';
import type { OrderPageInput } from './read.js';

/** The chunk's result: counts, trail and cursor from the checkpoint, and what the watermark learns. */
export function summarizeOrderChunk(input: OrderPageInput, cp: OrderCheckpoint, done: boolean): PageResult {
  const seen: WatermarkCandidate = { fingerprints: [], ...chunkSeen(input.plan, cp, Boolean(input.keys)) };
  return {
    counts: cp.counts,
    trail: cp.trail,
    ...(cp.cursor !== undefined ? { cursor: cp.cursor } : {}),
    done,
    seen,
  };
}
