import type { Client } from '@temporalio/client';
import { startSyncJob } from './start-job.js';
import { followJob, formatCounts, type JobOutcome } from './follow.js';
import type { SyncStream, SyncTrigger } from '../workflows/types.js';

/** Runs one job to its end at start-up and prints its summary (and where to see it in the UI). */
export async function runFirstSync(
  client: Client,
  opts: {
    stream: SyncStream;
    company: string;
    taskQueue: string;
    namespace: string;
    trigger: SyncTrigger;
    full: boolean;
    uiUrl?: string;
    out: (line: string) => void;
  },
): Promise<JobOutcome> {
  const handle = await startSyncJob(
    client,
    {
      stream: opts.stream,
      company: opts.company,
      trigger: opts.trigger,
      ...(opts.full ? { full: true } : {}),
    },
    { taskQueue: opts.taskQueue },
  );
  opts.out(`First ${opts.stream} sync: job ${handle.workflowId}`);
  const outcome = await followJob(handle, opts.stream);
  opts.out(`  ${outcome.status}: ${formatCounts(outcome.counts)}`);
  if (outcome.error) opts.out(`  error: ${outcome.error}`);
  if (opts.uiUrl)
    opts.out(
      `  ${opts.uiUrl}/namespaces/${opts.namespace}/workflows/${encodeURIComponent(handle.workflowId)}`,
    );
  opts.out(`  per-record outcomes: ml-connector audit ${handle.workflowId}`);
  return outcome;
}
