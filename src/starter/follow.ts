import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { progressQuery } from '../workflows/messages.js';
import type { SyncCounts, SyncJobResult, SyncProgress } from '../workflows/types.js';

export interface FollowOptions {
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
  intervalMs?: number;
}

export interface JobOutcome {
  jobId: string;
  stream: string;
  status: 'completed' | 'failed';
  counts: SyncCounts;
  result?: SyncJobResult;
  error?: string;
}

export function formatCounts(c: SyncCounts): string {
  return `read ${c.read}  created ${c.created}  updated ${c.updated}  unchanged ${c.unchanged}  skipped ${c.skipped}  failed ${c.failed}`;
}

/** Waits for a job, polling its `progress` query and reporting each change. */
export async function followJob(
  handle: WorkflowHandle,
  stream: string,
  options: FollowOptions = {},
): Promise<JobOutcome> {
  let last = '';
  let stop = false;
  const poll = async () => {
    while (!stop) {
      try {
        const p: SyncProgress = await handle.query(progressQuery);
        const line = `${handle.workflowId}: ${p.status}  pages ${p.pages}  ${formatCounts(p.counts)}`;
        if (line !== last) options.progress?.(line);
        last = line;
      } catch {
        // Not picked up by a worker yet, or between runs of a continue-as-new chain.
      }
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 1500));
    }
  };
  const polling = options.progress ? poll() : Promise.resolve();
  try {
    const result = (await handle.result()) as SyncJobResult;
    return { jobId: handle.workflowId, stream, status: 'completed', counts: result.counts, result };
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? (err.cause ?? err) : err;
    let counts: SyncCounts = { read: 0, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
    try {
      counts = (await handle.query(progressQuery)).counts;
    } catch {
      // A failed workflow may have no worker left to answer.
    }
    return { jobId: handle.workflowId, stream, status: 'failed', counts, error: (cause as Error).message };
  } finally {
    stop = true;
    await polling;
  }
}
