import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { connectCommandClient, requireCompany } from '../../starter/connect.js';
import { StreamBusyError, startSyncJob } from '../../starter/start-job.js';
import { followJob, formatCounts, type JobOutcome } from '../../starter/follow.js';
import { isSyncStream, type SyncJobInput } from '../../workflows/types.js';
import { isDay } from '../../workflows/watermark.js';

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
  });
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
  usage: 'ml-connector sync <customers|orders> [--full] [--since YYYY-MM-DD] [--wait] [--json]',
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        full: { type: 'boolean' },
        since: { type: 'string' },
        wait: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      true,
    );
    const [stream, ...extra] = positionals;
    if (!isSyncStream(stream) || extra.length > 0)
      throw new UsageError('name one stream: customers or orders');
    if (values.since !== undefined && !isDay(values.since))
      throw new UsageError('--since must be a date: YYYY-MM-DD');
    if (values.full && values.since) throw new UsageError('--full and --since exclude each other');
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
      };
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
      else {
        ctx.out(`${outcome.jobId}: ${outcome.status}`);
        ctx.out(`  ${formatCounts(outcome.counts)}`);
        if (outcome.error) ctx.out(`  error: ${outcome.error}`);
        if (outcome.result?.watermarkHeld)
          ctx.out(
            `  watermark not advanced: ${outcome.result.watermarkHeld} record(s) failed with transient errors; the next run reads them again`,
          );
        if (outcome.counts.failed > 0)
          ctx.out(
            `  failed records: ml-connector audit ${outcome.jobId}; re-send them: ml-connector replay ${outcome.jobId}`,
          );
      }
      return outcome.status === 'completed' ? 0 : 1;
    } catch (err) {
      return refusedAsBusy(err, (l) => process.stderr.write(`${l}\n`), values.json);
    } finally {
      await client.connection.close();
    }
  },
};
