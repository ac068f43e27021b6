import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { causeHint, causeText, failureCause } from '../workflows/failure-cause.js';
import { progressQuery } from '../workflows/messages.js';
import {
  ZERO_COUNTS,
  type JobMemo,
  type SyncCounts,
  type SyncJobResult,
  type SyncProgress,
} from '../workflows/types.js';

export interface FollowOptions {
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
  intervalMs?: number;
}

/** How a job ended (docs/outcomes.md). */
export type OutcomeStatus = 'completed' | 'completed_with_failures' | 'failed';

export interface JobOutcome {
  jobId: string;
  stream: string;
  status: OutcomeStatus;
  /** Including what a failed job wrote before it failed. */
  counts: SyncCounts;
  result?: SyncJobResult;
  /** A failed job: what failed, in plain words, naming the setting to check. */
  error?: string;
  /** A failed job: the error type (MailchimpAuthError, SyncRecordsFailed...). */
  errorType?: string;
  /** A failed job: what to try. */
  hint?: string;
}

export function formatCounts(c: SyncCounts): string {
  return `read ${c.read}  created ${c.created}  updated ${c.updated}  unchanged ${c.unchanged}  skipped ${c.skipped}  failed ${c.failed}`;
}

/** A job that ran to its end (workers before `completed_with_failures` said `completed` regardless). */
export function completedStatus(counts: SyncCounts): OutcomeStatus {
  return counts.failed > 0 ? 'completed_with_failures' : 'completed';
}

/**
 * A failed job's final counts: its memo (set by the job as it fails, readable with no worker), else
 * its `progress` query (answered by a worker replaying it), else nothing known.
 */
async function failedCounts(handle: WorkflowHandle): Promise<SyncCounts> {
  try {
    const memo = (await handle.describe()).memo as Partial<JobMemo> | undefined;
    if (memo?.counts) return memo.counts;
  } catch {
    // Visibility may lag; fall through to the query.
  }
  try {
    return (await handle.query(progressQuery)).counts;
  } catch {
    return { ...ZERO_COUNTS };
  }
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
    const status = completedStatus(result.counts);
    return { jobId: handle.workflowId, stream, status, counts: result.counts, result };
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = failureCause(err.cause ?? err);
    return {
      jobId: handle.workflowId,
      stream,
      status: 'failed',
      counts: await failedCounts(handle),
      error: causeText(cause),
      ...(cause.type ? { errorType: cause.type } : {}),
      hint: causeHint(cause, handle.workflowId),
    };
  } finally {
    stop = true;
    await polling;
  }
}
