import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
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
  const id = handle.workflowId;
  opts.out(`First ${opts.stream} sync started: ${id}`);
  const outcome = await followJob(handle, opts.stream);
  // One block once it ended: the job's own log lines come while it runs, not in the middle of it.
  opts.out(`First ${opts.stream} sync: job ${id}`);
  opts.out(`  ${outcome.status.replace(/_/g, ' ')}: ${formatCounts(outcome.counts)}`);
  if (outcome.error) opts.out(`  cause: ${outcome.error}`);
  if (outcome.hint) opts.out(`  try: ${outcome.hint}`);
  if (opts.uiUrl)
    opts.out(`  in the UI: ${opts.uiUrl}/namespaces/${opts.namespace}/workflows/${encodeURIComponent(id)}`);
  opts.out(`  each record's outcome: npx ml-connector audit ${id}`);
  if (outcome.counts.failed > 0)
    opts.out(`  re-send the ${outcome.counts.failed} failed: npx ml-connector replay ${id} --wait`);
  return outcome;
}

/** Long enough for a slow Sage login, short enough to say within a minute that something is wrong. */
const PREFLIGHT_TIMEOUT_MS = 45_000;

/** The preflight's failure lines, or one line saying it did not finish in time. */
async function preflightProblems(
  preflight: (config: AppConfig) => Promise<string[]>,
  config: AppConfig,
): Promise<string[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(
      () => resolve([`Sage 300 or Mailchimp did not answer within ${PREFLIGHT_TIMEOUT_MS / 1000}s`]),
      PREFLIGHT_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([preflight(config), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `start`'s first customer then order job, each followed to its end. When Sage 300 or Mailchimp
 * cannot be used, no job is started (it would only retry for many minutes in the foreground): the
 * operator is told why and what to run, and the schedules try again at their next run.
 */
export async function runFirstSyncs(
  client: Client,
  opts: {
    config: AppConfig;
    company: string;
    sandbox: boolean;
    uiUrl?: string;
    /** Tries Sage 300 and Mailchimp: the lines to show when they fail, none when both answer. */
    preflight?: (config: AppConfig) => Promise<string[]>;
    /** True once the process is stopping: the jobs go on in Temporal, nobody waits for them here. */
    stopping: () => boolean;
    logger: Logger;
    out: (line: string) => void;
  },
): Promise<void> {
  const { out } = opts;
  const problems = opts.preflight ? await preflightProblems(opts.preflight, opts.config) : [];
  if (problems.length > 0) {
    out('First sync not run: Sage 300 or Mailchimp cannot be used with these settings:');
    for (const line of problems) out(`  ${line}`);
    out(
      'Fix them and run `npx ml-connector check` to confirm; the worker and the schedules keep running, ' +
        'and the next scheduled run tries again.',
    );
    return;
  }
  // Customers first: an order's customer then already is an audience member with its merge fields.
  for (const stream of ['customers', 'orders'] as const) {
    if (opts.stopping()) return;
    await runFirstSync(client, {
      stream,
      company: opts.company,
      taskQueue: opts.config.temporal.taskQueue,
      namespace: opts.config.temporal.namespace,
      trigger: opts.sandbox ? 'sandbox' : 'manual',
      // The sandbox audience and store are new on every start, while Temporal (and the watermark) persists.
      full: opts.sandbox,
      uiUrl: opts.uiUrl,
      out,
    }).catch((err: unknown) => {
      if (opts.stopping()) return;
      // The connector keeps running (schedules, worker); the operator sees why the first job did not.
      opts.logger.error({ err, stream }, 'first sync could not run');
      out(`First ${stream} sync could not run: ${(err as Error).message}`);
    });
  }
}
