import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { commitWatermarkSignal, resetWatermarkSignal, watermarkQuery } from './messages.js';
import { mergeWatermark } from './watermark.js';
import type { SyncStream, Watermark } from './types.js';

export interface SyncStateInput {
  stream: SyncStream;
  company: string;
  watermark?: Watermark;
}

/** Continue-as-new well before the server's suggestion: each commit is one signal event. */
const MAX_HISTORY = 2000;

/**
 * The watermark of one stream and company (`sync-state-customers-SAMINC`): a tiny entity that
 * lives as long as the connector. Jobs read it with the `watermark` query at start and commit to
 * it with signal-with-start only when they complete, so a failed job never advances it, and
 * manual, scheduled and sandbox runs share it. It survives worker restarts and schedule changes
 * because it is a workflow of its own, independent of any schedule.
 */
export async function syncStateWorkflow(input: SyncStateInput): Promise<void> {
  let watermark = input.watermark;
  setHandler(watermarkQuery, () => watermark);
  setHandler(commitWatermarkSignal, (commit) => {
    watermark = mergeWatermark(watermark, commit);
  });
  setHandler(resetWatermarkSignal, ({ day }) => {
    watermark = day ? { day, fingerprints: [], committedAt: new Date().toISOString() } : undefined;
  });
  await condition(() => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY);
  await condition(allHandlersFinished);
  await continueAsNew<typeof syncStateWorkflow>({ ...input, watermark });
}
