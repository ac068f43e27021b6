import type { Client, WorkflowHandle } from '@temporalio/client';
import { failedKeys, readJobTrail } from './audit.js';
import { startSyncJob, type StartJobOptions } from './start-job.js';
import { isSyncStream, type SyncStream } from '../workflows/types.js';

/**
 * Starts a job that re-sends exactly the records that failed in `jobId` (read again from Sage by
 * key), linked to it by the ReplayOfJobId search attribute and memo. Writes are idempotent upserts,
 * so replaying twice is harmless. Returns undefined when nothing failed.
 */
export async function replayJob(
  client: Client,
  jobId: string,
  options: StartJobOptions,
): Promise<{ handle: WorkflowHandle; keys: string[]; stream: SyncStream } | undefined> {
  const trail = await readJobTrail(client, jobId);
  const stream = trail.input?.stream;
  const company = trail.input?.company;
  if (!isSyncStream(stream) || !company) throw new Error(`${jobId} is not a sync job`);
  const keys = failedKeys(trail);
  if (keys.length === 0) return undefined;
  // Order keys (OrderUniquifier) are numbers in Sage; the trail keeps every key as text.
  const typed = stream === 'orders' ? keys.map((k) => (/^\d+$/.test(k) ? Number(k) : k)) : keys;
  const handle = await startSyncJob(
    client,
    { stream, company, trigger: 'replay', keys: typed, replayOf: jobId },
    options,
  );
  return { handle, keys, stream };
}
