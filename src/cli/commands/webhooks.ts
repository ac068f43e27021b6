import type { Command, CliContext } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import type { AppConfig } from '../../config/index.js';
import { MailchimpClient } from '../../mailchimp/client.js';
import { maskWebhookUrl } from '../../logging/redact.js';
import { webhookPath } from '../../starter/webhooks/secret.js';
import {
  DEFAULT_EVENTS,
  DEFAULT_SOURCES,
  WEBHOOK_SOURCES,
  deleteWebhooks,
  flagsFromList,
  registerWebhook,
} from '../../starter/webhooks/registration.js';
import { WEBHOOK_EVENT_TYPES } from '../../domain/webhooks/event-schema.js';

const USAGE = `ml-connector webhooks <register|list|delete|serve> [options]
  register --url URL | --base-url URL   register the receiver on MAILCHIMP_LIST_ID (idempotent);
           [--events LIST]              --base-url appends /mailchimp/webhook/<WEBHOOK_SECRET>
           [--sources LIST]             events default: ${WEBHOOK_EVENT_TYPES.join(',')}
           [--list-id ID]               sources default: user,admin (api off: the sync's writes do not echo back)
  list [--json] [--list-id ID]          registered webhooks (secrets in URLs masked)
  delete --id ID | --url URL [--list-id ID]
  serve [--port N] [--host H]           the receiver alone (needs TEMPORAL_ADDRESS, WEBHOOK_SECRET; WEBHOOK_PORT or --port)`;

function listIdOf(config: AppConfig, given: string | undefined): string {
  const listId = given ?? config.mailchimp.listId;
  if (!listId) throw new UsageError('no audience: set MAILCHIMP_LIST_ID or pass --list-id');
  return listId;
}

function describeFlags(flags: Record<string, boolean> | undefined): string {
  const on = Object.entries(flags ?? {})
    .filter(([, v]) => v)
    .map(([k]) => k);
  return on.length > 0 ? on.join(',') : '(none)';
}

async function register(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    url: { type: 'string' },
    'base-url': { type: 'string' },
    events: { type: 'string' },
    sources: { type: 'string' },
    'list-id': { type: 'string' },
  });
  const config = await ctx.config();
  let url = values.url;
  if (values['base-url']) {
    if (url) throw new UsageError('pass --url or --base-url, not both');
    if (!config.webhooks.secret) throw new UsageError('--base-url needs WEBHOOK_SECRET');
    url = `${values['base-url'].replace(/\/+$/, '')}${webhookPath(config.webhooks.secret)}`;
  }
  if (!url) throw new UsageError('--url (or --base-url) is required');
  if (!/^https?:\/\//i.test(url)) throw new UsageError('--url must be an http(s) URL');
  let events = DEFAULT_EVENTS;
  let sources = DEFAULT_SOURCES;
  try {
    if (values.events !== undefined) events = flagsFromList(WEBHOOK_EVENT_TYPES, values.events, 'event');
    if (values.sources !== undefined) sources = flagsFromList(WEBHOOK_SOURCES, values.sources, 'source');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const listId = listIdOf(config, values['list-id']);
  const mailchimp = await MailchimpClient.create(config.mailchimp, { logger: ctx.logger() });
  const outcome = await registerWebhook(mailchimp, listId, { url, events, sources });
  ctx.out(
    `webhook ${outcome.webhook.id} ${outcome.action} on audience ${listId}: ${maskWebhookUrl(outcome.webhook.url)} ` +
      `events=${describeFlags(outcome.webhook.events ?? events)} sources=${describeFlags(outcome.webhook.sources ?? sources)}`,
  );
  return 0;
}

async function list(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(argv, { json: { type: 'boolean' }, 'list-id': { type: 'string' } });
  const config = await ctx.config();
  const listId = listIdOf(config, values['list-id']);
  const mailchimp = await MailchimpClient.create(config.mailchimp, { logger: ctx.logger() });
  const hooks = await mailchimp.listWebhooks(listId);
  for (const w of hooks) {
    const shown = { id: w.id, url: maskWebhookUrl(w.url), events: w.events, sources: w.sources };
    ctx.out(
      values.json
        ? JSON.stringify(shown)
        : `${w.id}  ${shown.url}  events=${describeFlags(w.events)}  sources=${describeFlags(w.sources)}`,
    );
  }
  if (hooks.length === 0 && !values.json) ctx.out(`no webhooks on audience ${listId}`);
  return 0;
}

async function remove(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    id: { type: 'string' },
    url: { type: 'string' },
    'list-id': { type: 'string' },
  });
  if (!values.id === !values.url) throw new UsageError('pass exactly one of --id or --url');
  const config = await ctx.config();
  const listId = listIdOf(config, values['list-id']);
  const mailchimp = await MailchimpClient.create(config.mailchimp, { logger: ctx.logger() });
  const deleted = await deleteWebhooks(mailchimp, listId, { id: values.id, url: values.url });
  if (deleted.length === 0) {
    ctx.out(`no matching webhook on audience ${listId}`);
    return 1;
  }
  ctx.out(`deleted webhook ${deleted.join(', ')} from audience ${listId}`);
  return 0;
}

async function serve(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(argv, { port: { type: 'string' }, host: { type: 'string' } });
  const config = await ctx.config();
  const port = values.port !== undefined ? Number(values.port) : config.webhooks.port;
  if (port === undefined || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('set WEBHOOK_PORT or pass --port N');
  if (!config.webhooks.secret) throw new UsageError('WEBHOOK_SECRET is not set (at least 16 characters)');
  if (!config.temporal.address) throw new UsageError('TEMPORAL_ADDRESS is not set');
  // Loaded here so the Mailchimp subcommands never pay for the Temporal client.
  const { openWebhookService } = await import('../../starter/webhooks/serve.js');
  const { trapStopSignals } = await import('../../shared/signals.js');
  const signals = trapStopSignals({ command: 'webhooks serve' });
  const service = await openWebhookService({ config, logger: ctx.logger(), port, host: values.host });
  ctx.out(
    `Webhook receiver on port ${service.receiver.port}: ${maskWebhookUrl(service.receiver.url)}. Events are ` +
      `recorded on task queue "${config.temporal.taskQueue}" (a worker there completes them). Register the public ` +
      'URL with `ml-connector webhooks register --base-url https://your.host`. Ctrl-C stops.',
  );
  signals.running();
  await signals.requested;
  await service.close();
  return 0;
}

const subcommands: Record<string, (argv: string[], ctx: CliContext) => Promise<number>> = {
  register,
  list,
  delete: remove,
  serve,
};

export const command: Command = {
  summary: 'Mailchimp audience webhooks: register/list/delete them, or serve the receiver alone.',
  usage: USAGE,
  async run(argv, ctx) {
    const [sub, ...rest] = argv;
    const run = sub ? subcommands[sub] : undefined;
    if (!run) throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'a subcommand is required');
    return run(rest, ctx);
  },
};
