import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SyncProgress, Watermark, WatermarkCandidate } from './types.js';

/** Live counts of a running job (`sync --wait` polls it). */
export const progressQuery = defineQuery<SyncProgress>('progress');

/** The watermark held by a syncState entity. */
export const watermarkQuery = defineQuery<Watermark | undefined>('watermark');

export interface WatermarkCommit extends WatermarkCandidate {
  jobId: string;
  committedAt: string;
}

/** Sent by a job that completed: merges its high-water mark into the entity's. */
export const commitWatermarkSignal = defineSignal<[WatermarkCommit]>('commitWatermark');

/** Operator reset (for example to force the next incremental run to start at a given day). */
export const resetWatermarkSignal = defineSignal<[{ day?: string }]>('resetWatermark');
