import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { installRuntime } from '../temporal/runtime.js';
import { openTemporal } from '../temporal/runtime-env.js';
import { buildWorker } from '../worker/run-worker.js';
import { waitForShutdownSignal } from '../shared/signals.js';
import { startSandbox } from './sandbox.js';
import { runFirstSync } from './first-sync.js';
import { applySchedules } from './schedules.js';
import { startEmbeddedUiCodec } from './ui-codec.js';
import { startConfiguredWebhookReceiver } from './webhooks/serve.js';

export interface MainJobOptions {
  config: AppConfig;
  logger: Logger;
  out: (line: string) => void;
  firstSync: boolean;
}

/**
 * `ml-connector start`: everything one on-prem machine needs. Each piece started here is stopped
 * in reverse order on SIGINT/SIGTERM, so no child process outlives us.
 */
export async function runMainJob(options: MainJobOptions): Promise<number> {
  const { logger, out } = options;
  installRuntime(logger);
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err) => logger.error({ err }, 'error while stopping'));
  };
  try {
    let config = options.config;
    const sandbox = await startSandbox(config, logger);
    if (sandbox) {
      stops.push(() => sandbox.stop());
      config = sandbox.config;
      out('Sandbox mode (no Sage 300 and/or Mailchimp configured):');
      for (const note of sandbox.notes) out(`  ${note}`);
    }
    const uiCodec = config.temporal.address ? undefined : await startEmbeddedUiCodec(config, logger);
    if (uiCodec) stops.push(() => uiCodec.server.close());
    const runtime = await openTemporal(config, logger, {
      embedded: true,
      devServerArgs: uiCodec?.devServerArgs,
    });
    stops.push(() => runtime.close());
    if (uiCodec) out(`Temporal UI decodes payloads through the codec server on ${uiCodec.server.url}`);
    if (runtime.devServer)
      out(`Temporal UI: ${runtime.devServer.uiUrl}  (server ${runtime.devServer.address})`);

    const worker = await buildWorker(runtime, logger);
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    out(
      `Worker polling task queue "${runtime.config.temporal.taskQueue}" in namespace "${runtime.config.temporal.namespace}". Ctrl-C stops.`,
    );

    const receiver = await startConfiguredWebhookReceiver({
      config: runtime.config,
      client: runtime.client,
      logger,
    });
    if (receiver) {
      stops.push(() => receiver.stop());
      out(
        `Mailchimp webhook receiver listening on port ${receiver.port} (register it with \`ml-connector webhooks register --base-url <public URL>\`)`,
      );
    }

    const company = runtime.config.sage300.company;
    if (company) {
      for (const applied of await applySchedules(runtime.client, runtime.config, company)) {
        out(`Schedule ${applied.scheduleId}: ${applied.action}`);
      }
    } else {
      out('No SAGE300_COMPANY: schedules not applied.');
    }

    if (options.firstSync && company) {
      // Customers first: an order's customer then already is an audience member with its merge fields.
      for (const stream of ['customers', 'orders'] as const) {
        await runFirstSync(runtime.client, {
          stream,
          company,
          taskQueue: runtime.config.temporal.taskQueue,
          namespace: runtime.config.temporal.namespace,
          trigger: sandbox ? 'sandbox' : 'manual',
          // The sandbox audience and store are new on every start, while Temporal (and the watermark) persists.
          full: Boolean(sandbox),
          uiUrl: runtime.devServer?.uiUrl,
          out,
        }).catch((err: unknown) => {
          // The connector keeps running (schedules, worker); the operator sees why the first job did not.
          logger.error({ err, stream }, 'first sync could not run');
          out(`First ${stream} sync could not run: ${(err as Error).message}`);
        });
      }
    }

    const signal = await Promise.race([waitForShutdownSignal(), running.then(() => undefined)]);
    logger.info({ signal }, 'stopping');
    await stopAll();
    return 0;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
