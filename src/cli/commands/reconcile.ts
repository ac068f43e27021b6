import { writeFile } from 'node:fs/promises';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { daysCsv, formatReport } from '../reconcile-report.js';
import { connectCommandClient, requireCompany } from '../../starter/connect.js';
import { followJob, formatCounts, type JobOutcome } from '../../starter/follow.js';
import {
  readReconciliation,
  reconcileAndRepair,
  startCustomerReconciliation,
  startReconciliation,
  type RepairOutcome,
} from '../../starter/reconcile.js';
import type { ReconcileCustomersResult } from '../../workflows/reconcile-customers-job.js';
import type { ReconcileResult } from '../../workflows/reconcile-job.js';
import { isDay } from '../../workflows/watermark.js';
import { refusedAsBusy, waitForRunningJob } from './sync.js';

const err = (line: string) => process.stderr.write(`${line}\n`);

function repairLines(r: RepairOutcome, outcome: JobOutcome | undefined): string[] {
  const { result } = r;
  if (r.truncated) {
    const first = result.differences[0];
    const since = first ? (first.sage ?? first.mailchimp)!.day : result.from;
    return [
      'repair: too many differences to repair order by order; nothing was cancelled or re-sent.',
      `  re-send every order from the first differing day: ml-connector sync orders --since ${since}`,
      '  and find out why so many orders differ before cancelling any (a store reset? a Sage purge?)',
    ];
  }
  const lines: string[] = [];
  if (result.counts.gone > 0 && !result.cancellation)
    lines.push(
      `repair: ${result.counts.gone} order(s) gone from Sage left as they are (SYNC_RECONCILE_GONE=report)`,
    );
  if (!r.job) lines.push('repair: no order to re-send');
  else {
    lines.push(
      `repair: started ${r.job.workflowId}: re-sending ${r.resend.length} order(s), linked to ${result.jobId}`,
    );
    if (outcome) {
      lines.push(`  ${outcome.status}: ${formatCounts(outcome.counts)}`);
      if (outcome.error) lines.push(`  error: ${outcome.error}`);
      if (outcome.counts.failed > 0) lines.push(`  why orders failed: ml-connector audit ${outcome.jobId}`);
    } else lines.push(`  outcomes when done: ml-connector audit ${r.job.workflowId}`);
    lines.push('  then check again: ml-connector reconcile orders (same --from/--to)');
  }
  return lines;
}

async function report(
  result: ReconcileResult,
  values: { json?: boolean; csv?: string },
  out: (line: string) => void,
  extra: Record<string, unknown> = {},
): Promise<void> {
  if (values.csv) {
    await writeFile(values.csv, daysCsv(result), 'utf8');
    if (!values.json) out(`wrote ${result.days.length} day(s) to ${values.csv}`);
  }
  if (values.json) out(JSON.stringify({ ...result, ...extra }));
  else
    for (const line of formatReport(result, Boolean(process.stdout.isTTY) && !process.env.NO_COLOR))
      out(line);
}

function customerLines(r: ReconcileCustomersResult): string[] {
  const did = r.policy === 'archive' ? `${r.archived} archived` : `${r.tagged} tagged sage-deleted`;
  const lines = [
    `${r.jobId}: ${r.sageCustomers} customer(s) in Sage, ${r.ownedMembers} member(s) carry a customer number`,
    `  ${r.gone} member(s) of customers gone from Sage: ${did}, ${r.alreadyArchived} already archived, ${r.failed.length} failed (SYNC_CUSTOMER_DELETED=${r.policy})`,
  ];
  for (const f of r.failed) lines.push(`  failed ${f.memberId}: ${f.reason}`);
  if (r.members.length > 0) lines.push(`  members (ids): ${r.members.join(' ')}`);
  return lines;
}

export const command: Command = {
  summary:
    "Reconcile Sage's orders with the Mailchimp store day by day (--repair re-sends what differs), or Sage's customers with the audience (members of deleted customers tagged or archived).",
  usage:
    'ml-connector reconcile orders [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--json] [--csv FILE] [--repair [--wait]] | ' +
    'ml-connector reconcile customers [--json] | ' +
    'ml-connector reconcile show <jobId> [--json] [--csv FILE]',
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean' },
        csv: { type: 'string' },
        repair: { type: 'boolean' },
        wait: { type: 'boolean' },
      },
      true,
    );
    const [what, ...rest] = positionals;
    if (what === 'show') {
      if (rest.length !== 1) throw new UsageError('name one reconciliation job ID');
      const config = await ctx.config();
      const client = await connectCommandClient(config);
      try {
        await report(await readReconciliation(client, rest[0]!), values, ctx.out);
        return 0;
      } finally {
        await client.connection.close();
      }
    }
    if (what === 'customers' && rest.length === 0) {
      const config = await ctx.config();
      const company = requireCompany(config);
      const client = await connectCommandClient(config);
      try {
        const handle = await startCustomerReconciliation(
          client,
          { company, trigger: 'manual' },
          { taskQueue: config.temporal.taskQueue },
        );
        err(
          `reconciling customers: job ${handle.workflowId} (a worker runs it: ml-connector start or ml-connector worker)`,
        );
        const result = await handle.result();
        if (values.json) ctx.out(JSON.stringify(result));
        else for (const line of customerLines(result)) ctx.out(line);
        return result.failed.length > 0 ? 1 : 0;
      } finally {
        await client.connection.close();
      }
    }
    if (what !== 'orders' || rest.length > 0)
      throw new UsageError('reconcile orders, reconcile customers, or reconcile show <jobId>');
    for (const [name, day] of [
      ['--from', values.from],
      ['--to', values.to],
    ] as const)
      if (day !== undefined && !isDay(day)) throw new UsageError(`${name} must be a date: YYYY-MM-DD`);
    if (values.from && values.to && values.from > values.to) throw new UsageError('--from is after --to');
    if (values.wait && !values.repair) throw new UsageError('--wait goes with --repair');
    const config = await ctx.config();
    const company = requireCompany(config);
    const client = await connectCommandClient(config);
    const period = { ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) };
    try {
      if (!values.repair) {
        const handle = await startReconciliation(
          client,
          { company, trigger: 'manual', ...period },
          { taskQueue: config.temporal.taskQueue },
        );
        err(
          `reconciling: job ${handle.workflowId} (a worker runs it: ml-connector start or ml-connector worker)`,
        );
        await report(await handle.result(), values, ctx.out);
        return 0;
      }
      err('reconciling, then repairing what differs');
      const repaired = await reconcileAndRepair(
        client,
        { company, ...period },
        { taskQueue: config.temporal.taskQueue, ...waitForRunningJob(values.wait) },
      );
      const outcome =
        repaired.job && values.wait
          ? await followJob(repaired.job, 'orders', { progress: (line) => err(line) })
          : undefined;
      const job = repaired.job
        ? {
            repairJob: {
              jobId: repaired.job.workflowId,
              keys: repaired.resend.length,
              status: outcome?.status ?? 'started',
              ...(outcome ? { counts: outcome.counts } : {}),
            },
          }
        : {};
      await report(repaired.result, values, ctx.out, job);
      if (!values.json) for (const line of repairLines(repaired, outcome)) ctx.out(line);
      return repaired.truncated || outcome?.status === 'failed' ? 1 : 0;
    } catch (e) {
      return refusedAsBusy(e, err, values.json);
    } finally {
      await client.connection.close();
    }
  },
};
