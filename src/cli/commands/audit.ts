import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../config/index.js';
import { MailchimpClient } from '../../mailchimp/client.js';
import type { CliContext, Command } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { connectCommandClient } from '../../starter/connect.js';
import { readJobTrail, type JobTrail } from '../../starter/audit.js';
import { formatCounts } from '../../starter/follow.js';
import { formatPlan } from '../../starter/plan.js';
import type { WebhookEventSummary } from '../../starter/webhooks/audit-events.js';
import { matchUpemailCustomers } from '../../starter/webhooks/upemail-customers.js';

async function exportJsonl(trail: JobTrail, file: string): Promise<void> {
  const out = createWriteStream(file, { encoding: 'utf8' });
  for (const r of trail.records) {
    if (!out.write(`${JSON.stringify({ jobId: trail.jobId, ...r })}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** upemail events get the customer whose member holds the new address; Mailchimp is asked only then. */
async function matchUpemails(
  client: Client,
  config: AppConfig,
  events: WebhookEventSummary[],
  ctx: CliContext,
): Promise<void> {
  if (!events.some((e) => e.type === 'upemail')) return;
  let mailchimp: MailchimpClient;
  try {
    mailchimp = await MailchimpClient.create(config.mailchimp, { logger: ctx.logger() });
  } catch (err) {
    for (const e of events.filter((x) => x.type === 'upemail'))
      e.customerMatch = `not matched: ${(err as Error).message}`;
    return;
  }
  await matchUpemailCustomers(client, mailchimp, config.sync.customerNumberMergeTag, events);
}

export const command: Command = {
  summary: "Show a job's per-record outcomes (or the recorded Mailchimp webhook events with --events).",
  usage:
    'ml-connector audit <jobId> [--json] [--export FILE.jsonl] | ml-connector audit --events [--since YYYY-MM-DD] [--type TYPE] [--json]',
  async run(argv, ctx) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        json: { type: 'boolean' },
        export: { type: 'string' },
        events: { type: 'boolean' },
        since: { type: 'string' },
        type: { type: 'string' },
      },
      true,
    );
    const config = await ctx.config();
    const client = await connectCommandClient(config);
    try {
      if (values.events) {
        const { listWebhookEvents, formatWebhookEvents } =
          await import('../../starter/webhooks/audit-events.js');
        const events = await listWebhookEvents(client, {
          ...(values.since ? { since: new Date(`${values.since}T00:00:00Z`) } : {}),
          ...(values.type ? { type: values.type } : {}),
        });
        await matchUpemails(client, config, events, ctx);
        for (const line of formatWebhookEvents(events, Boolean(values.json))) ctx.out(line);
        return 0;
      }
      const [jobId] = positionals;
      if (!jobId || positionals.length > 1) throw new UsageError('name one job ID');
      const trail = await readJobTrail(client, jobId);
      if (values.export) {
        await exportJsonl(trail, values.export);
        ctx.out(`wrote ${trail.records.length} records to ${values.export}`);
      }
      if (values.json) {
        ctx.out(JSON.stringify(trail));
        return 0;
      }
      if (values.export) return 0;
      ctx.out(
        `${trail.jobId} (${trail.workflowType}, ${trail.status.replace(/_/g, ' ')}, ${trail.runIds.length} run(s))`,
      );
      ctx.out(`  ${formatCounts(trail.counts)}`);
      if (trail.cause) ctx.out(`  cause: ${trail.cause}`);
      if (trail.hint) ctx.out(`  try: ${trail.hint}`);
      if (trail.plan) {
        ctx.out('  refused plan:');
        for (const line of formatPlan(trail.plan)) ctx.out(`    ${line}`);
      }
      for (const action of ['created', 'updated', 'unchanged'] as const) {
        const keys = trail.records.filter((r) => r.action === action).map((r) => r.key);
        if (keys.length)
          ctx.out(
            `  ${action} (${keys.length}): ${keys.slice(0, 50).join(' ')}${keys.length > 50 ? ' ...' : ''}`,
          );
      }
      for (const r of trail.records.filter((x) => x.action === 'skipped' || x.action === 'failed')) {
        ctx.out(
          `  ${r.action.padEnd(7)} ${r.key.padEnd(12)} ${(r.email ?? '-').padEnd(28)} ${r.status ? `${r.status} ` : ''}${r.reason ?? ''}`,
        );
      }
      for (const r of trail.records.filter((x) => x.adjusted)) {
        ctx.out(`  adjusted ${r.key.padEnd(12)} ${r.action}: ${r.adjusted!.join('; ')}`);
      }
      return 0;
    } finally {
      await client.connection.close();
    }
  },
};
