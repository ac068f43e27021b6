import { CancellationScope, ContinueAsNew, patched, workflowInfo } from '@temporalio/workflow';
import type { SyncJobInput } from './types.js';
import { cleanupActivities, stateActivities } from './activity-options.js';

/** Jobs started by 0.1.0 workers claimed nothing; their histories must replay without the claim. */
export const STREAM_LOCK_PATCH = 'stream-lock';

/**
 * Runs a job while it holds its stream and company (one job at a time, whatever started it). The
 * claim comes before anything is read or written; the release comes after the job's own cleanup
 * (`body`'s finally, e.g. clearing is_syncing), so the next job never sees a half-finished one. A
 * job that continues as new keeps the claim (`carried`), and releases it only in its last run.
 */
export async function withStreamLock<T>(
  input: SyncJobInput,
  body: (holdsLock: boolean) => Promise<T>,
): Promise<T> {
  const jobId = workflowInfo().workflowId;
  const target = { stream: input.stream, company: input.company, jobId };
  const claimNow = !input.carry && patched(STREAM_LOCK_PATCH);
  const holdsLock = claimNow || input.carry?.streamLock === true;
  if (claimNow) await stateActivities.claimStream(target);
  let continuing = false;
  try {
    return await body(holdsLock);
  } catch (err) {
    if (err instanceof ContinueAsNew) continuing = true;
    throw err;
  } finally {
    if (holdsLock && !continuing) {
      await CancellationScope.nonCancellable(() => cleanupActivities.releaseStream(target));
    }
  }
}
