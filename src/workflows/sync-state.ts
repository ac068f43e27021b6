import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  claimStreamUpdate,
  commitWatermarkSignal,
  commitWatermarkUpdate,
  releaseStreamUpdate,
  resetWatermarkSignal,
  streamHolderQuery,
  watermarkQuery,
} from './messages.js';
import { mergeWatermark } from './watermark.js';
import type { SyncStream, Watermark } from './types.js';

export interface SyncStateInput {
  stream: SyncStream;
  company: string;
  watermark?: Watermark;
  /** The job that holds the stream (carried across continue-as-new). */
  holder?: string;
}

/** Continue-as-new well before the server's suggestion: each commit is one signal event. */
const MAX_HISTORY = 2000;

/**
 * The watermark of one stream and company (`sync-state-customers-SAMINC`): a tiny entity that
 * lives as long as the connector. Jobs read it with the `watermark` query at start and commit to
 * it with update-with-start (acknowledged) only when they complete, so a failed job never advances it, and
 * manual, scheduled and sandbox runs share it. It survives worker restarts and schedule changes
 * because it is a workflow of its own, independent of any schedule.
 *
 * It is also the stream's lock: a job claims it before it reads anything and releases it after its
 * last cleanup, so two jobs of one stream and company never overlap (schedules' overlap policy only
 * covers schedule-started runs). Its state stays a watermark and one job ID, whatever the data size.
 */
export async function syncStateWorkflow(input: SyncStateInput): Promise<void> {
  let watermark = input.watermark;
  setHandler(watermarkQuery, () => watermark);
  setHandler(commitWatermarkSignal, (commit) => {
    watermark = mergeWatermark(watermark, commit);
  });
  setHandler(commitWatermarkUpdate, (commit) => {
    watermark = mergeWatermark(watermark, commit);
    return { day: watermark?.day };
  });
  let holder = input.holder;
  setHandler(streamHolderQuery, () => holder);
  setHandler(claimStreamUpdate, ({ jobId, takeOverFrom }) => {
    if (holder === undefined || holder === jobId || holder === takeOverFrom) holder = jobId;
    return { granted: holder === jobId, holder };
  });
  setHandler(releaseStreamUpdate, ({ jobId }) => {
    if (holder === jobId) holder = undefined;
  });
  setHandler(resetWatermarkSignal, ({ day }) => {
    watermark = day ? { day, fingerprints: [], committedAt: new Date().toISOString() } : undefined;
  });
  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY);
  await condition(allHandlersFinished);
  await continueAsNew<typeof syncStateWorkflow>({ ...input, watermark, holder });
}
