import type { CliContext } from '../command.js';
import { UsageError } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { waitForShutdownSignal } from '../../shared/signals.js';
import { startMailchimpSimulator } from '../../../simulators/mailchimp/index.js';

export const MAILCHIMP_SANDBOX_USAGE =
  'ml-connector sandbox mailchimp [--port N] [--api-key KEY] [--oauth-token TOKEN] [--latency-ms MS] [--latency-jitter-ms MS] ' +
  '[--batch-item-latency-ms MS] [--max-connections N] [--list-name NAME]';

function intOption(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a non-negative integer`);
  return n;
}

/** Runs the Mailchimp simulator in the foreground with one audience until SIGINT/SIGTERM. */
export async function runMailchimpSandbox(argv: string[], ctx: CliContext): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    port: { type: 'string' },
    'api-key': { type: 'string' },
    'oauth-token': { type: 'string' },
    'latency-ms': { type: 'string' },
    'latency-jitter-ms': { type: 'string' },
    'batch-item-latency-ms': { type: 'string' },
    'max-connections': { type: 'string' },
    'list-name': { type: 'string' },
  });
  const apiKey = values['api-key'];
  if (apiKey !== undefined && !/-[a-z]+\d+$/.test(apiKey)) {
    throw new UsageError('--api-key must end in a data-center suffix such as -us6');
  }
  const sim = await startMailchimpSimulator({
    port: intOption('port', values.port) ?? 0,
    apiKey,
    oauthToken: values['oauth-token'],
    latencyMs: intOption('latency-ms', values['latency-ms']),
    latencyJitterMs: intOption('latency-jitter-ms', values['latency-jitter-ms']),
    batchItemLatencyMs: intOption('batch-item-latency-ms', values['batch-item-latency-ms']),
    maxConnections: intOption('max-connections', values['max-connections']),
  });
  const listId = sim.state.createList({ name: values['list-name'] ?? 'Sandbox Audience' });
  ctx.out(`Mailchimp sandbox listening`);
  ctx.out(`  MAILCHIMP_API_URL=${sim.apiUrl}`);
  ctx.out(`  MAILCHIMP_API_KEY=${sim.apiKey}`);
  ctx.out(`  MAILCHIMP_LIST_ID=${listId}`);
  ctx.out(`  MAILCHIMP_OAUTH_TOKEN=${sim.oauthToken}`);
  ctx.out(`  MAILCHIMP_OAUTH_METADATA_URL=${sim.oauthMetadataUrl}`);
  ctx.out('Press Ctrl-C to stop.');
  const signal = await waitForShutdownSignal();
  ctx.logger().info({ signal }, 'stopping Mailchimp sandbox');
  await sim.stop();
  return 0;
}
