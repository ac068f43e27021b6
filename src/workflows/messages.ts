import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
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

/**
 * The acknowledged commit (an Update, not a signal): the job learns that the entity applied its
 * watermark before it completes, and a commit that fails fails the job. The signal above stays for
 * jobs started by 0.1.0 workers.
 */
export const commitWatermarkUpdate = defineUpdate<{ day?: string }, [WatermarkCommit]>('applyWatermark');

/** Who holds a stream and company: one job at a time, whatever started it. */
export interface StreamClaim {
  jobId: string;
  /** The holder the caller saw end without releasing (terminated, timed out): taken over. */
  takeOverFrom?: string;
}
export interface StreamClaimAnswer {
  granted: boolean;
  /** The job holding it (the caller itself when granted). */
  holder?: string;
}
export const claimStreamUpdate = defineUpdate<StreamClaimAnswer, [StreamClaim]>('claimStream');
export const releaseStreamUpdate = defineUpdate<void, [{ jobId: string }]>('releaseStream');
export const streamHolderQuery = defineQuery<string | undefined>('streamHolder');
