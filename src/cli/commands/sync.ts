import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { connectCommandClient, requireCompany } from '../../starter/connect.js';
import { StreamBusyError, startSyncJob } from '../../starter/start-job.js';
import { followJob, formatCounts, type JobOutcome } from '../../starter/follow.js';
import { RECORDS_FAILED } from '../../workflows/failure-cause.js';
import { isSyncStream, type SyncJobInput } from '../../workflows/types.js';
import { isDay } from '../../workflows/watermark.js';
import { formatPlan, refusedPlan, runPlanJob } from '../../starter/plan.js';

export function outcomeJson(o: JobOutcome): string {
  return JSON.stringify({
    jobId: o.jobId,
    stream: o.stream,
    status: o.status,
    ...o.counts,
    ...(o.result
      ? {
          pages: o.result.pages,
          runs: o.result.runs,
          fromDay: o.result.fromDay ?? null,
          watermarkDay: o.result.watermarkDay ?? null,
          watermarkHeld: o.result.watermarkHeld ?? 0,
        }
      : {}),
    ...(o.error ? { error: o.error } : {}),
    ...(o.errorType ? { errorType: o.errorType } : {}),
    ...(o.hint ? { hint: o.hint } : {}),
  });
}

/** Exit code of a job that ran to its end with some records failed (docs/outcomes.md). */
export const EXIT_COMPLETED_WITH_FAILURES = 3;

/** `--wait`'s exit code: 0 completed, 3 completed with failures, 1 failed (75: refused, stream busy). */
export function exitCodeOf(o: JobOutcome): number {
  if (o.status === 'completed') return 0;
  return o.status === 'completed_with_failures' ? EXIT_COMPLETED_WITH_FAILURES : 1;
}

/** The human-readable end of a followed job: status, counts, and for a failure its cause and what to try. */
export function printOutcome(o: JobOutcome, out: (line: string) => void): void {
  out(`${o.jobId}: ${o.status.replace(/_/g, ' ')}`);
  out(`  ${formatCounts(o.counts)}`);
  if (o.error) out(`  cause: ${o.error}`);
  if (o.hint) out(`  try: ${o.hint}`);
  if (o.result?.watermarkHeld)
    out(
      `  watermark not advanced: ${o.result.watermarkHeld} record(s) failed with transient errors; the next run reads them again`,
    );
  if (o.counts.failed > 0 && o.errorType !== RECORDS_FAILED)
    out(`  failed records: ml-connector audit ${o.jobId}; re-send them: ml-connector replay ${o.jobId}`);
}

/** `--wait` waits for a running job of the stream before starting; without it the CLI refuses. */
export function waitForRunningJob(wait: boolean | undefined) {
  return wait
    ? {
        ifBusy: 'wait' as const,
        onWait: (running: string) => process.stderr.write(`waiting for the running job ${running} to end\n`),
      }
    : { ifBusy: 'refuse' as const };
}

/** Exit code of a request refused because the stream is busy (EX_TEMPFAIL: try again later). */
export const EXIT_STREAM_BUSY = 75;

/** Prints a refusal (the running job named) and returns its exit code; other errors propagate. */
export function refusedAsBusy(err: unknown, out: (line: string) => void, json?: boolean): number {
  if (!(err instanceof StreamBusyError)) throw err;
  out(
    json
      ? JSON.stringify({ stream: err.stream, status: 'refused', runningJobId: err.runningJobId })
      : err.message,
  );
  return EXIT_STREAM_BUSY;
}

export const command: Command = {
  summary: 'Start a sync job now (customers or orders); --wait follows it to the end.',
  usage:
    'ml-connector sync <customers|orders> [--full] [--since YYYY-MM-DD] [--wait] [--json] [--plan | --accept-plan <jobId>]',
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        full: { type: 'boolean' },
        since: { type: 'string' },
        wait: { type: 'boolean' },
        json: { type: 'boolean' },
        plan: { type: 'boolean' },
        'accept-plan': { type: 'string' },
      },
      true,
    );
    const [stream, ...extra] = positionals;
    if (!isSyncStream(stream) || extra.length > 0)
      throw new UsageError('name one stream: customers or orders');
    if (values.since !== undefined && !isDay(values.since))
      throw new UsageError('--since must be a date: YYYY-MM-DD');
    if (values.full && values.since) throw new UsageError('--full and --since exclude each other');
    const accepted = values['accept-plan'];
    if (values.plan && accepted) throw new UsageError('--plan and --accept-plan exclude each other');
    const config = await ctx.config();
    const company = requireCompany(config);
    const client = await connectCommandClient(config);
    try {
      const input: SyncJobInput = {
        stream,
        company,
        trigger: 'manual',
        ...(values.full ? { full: true } : {}),
        ...(values.since ? { since: values.since } : {}),
        ...(config.sync.guard === 'all' && !accepted ? { guard: true } : {}),
        ...(accepted ? { acceptPlanOf: accepted } : {}),
      };
      if (values.plan) {
        const { jobId, plan } = await runPlanJob(client, input, { taskQueue: config.temporal.taskQueue });
        if (values.json) ctx.out(JSON.stringify({ jobId, ...plan }));
        else for (const line of [...formatPlan(plan), `  plan job: ${jobId}`]) ctx.out(line);
        return 0;
      }
      if (accepted && !(await refusedPlan(client, accepted)))
        throw new UsageError(
          `${accepted} is not a job the blast-radius guard refused: there is no plan to accept`,
        );
      const handle = await startSyncJob(client, input, {
        taskQueue: config.temporal.taskQueue,
        ...waitForRunningJob(values.wait),
      });
      if (!values.wait) {
        if (values.json) ctx.out(JSON.stringify({ jobId: handle.workflowId, stream, status: 'started' }));
        else {
          ctx.out(`started job ${handle.workflowId}`);
          ctx.out('  a worker runs it: ml-connector start (or ml-connector worker)');
          ctx.out(`  follow it: temporal workflow show -w ${handle.workflowId} --follow, or the Temporal UI`);
          ctx.out(`  outcomes when done: ml-connector audit ${handle.workflowId}`);
        }
        return 0;
      }
      const outcome = await followJob(handle, stream, {
        progress: (line) => process.stderr.write(`${line}\n`),
      });
      if (values.json) ctx.out(outcomeJson(outcome));
      else printOutcome(outcome, (l) => ctx.out(l));
      return exitCodeOf(outcome);
    } catch (err) {
      return refusedAsBusy(err, (l) => process.stderr.write(`${l}\n`), values.json);
    } finally {
      await client.connection.close();
    }
  },
};
