import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { openTemporal } from '../temporal/runtime-env.js';
import { startWorker } from '../worker/run-worker.js';
import { durationMs, trapStopSignals } from '../shared/signals.js';
import { SANDBOX_DB_FILE, startSandbox } from './sandbox.js';
import { runFirstSyncs } from './first-sync.js';
import { applySchedules } from './schedules.js';
import { startEmbeddedUiCodec } from './ui-codec.js';
import { localhostUrl, sandboxLines, scheduleLines, temporalLines } from './start-console.js';
import { startConfiguredWebhookReceiver } from './webhooks/serve.js';

export interface MainJobOptions {
  config: AppConfig;
  logger: Logger;
  out: (line: string) => void;
  firstSync: boolean;
  /**
   * Tries Sage 300 and Mailchimp before the first sync (the `check` command's checks, which this
   * layer may not import): the lines to show when they fail, none when both answer.
   */
  preflight?: (config: AppConfig) => Promise<string[]>;
}

/**
 * `ml-connector start`: everything one on-prem machine needs. Each piece started here is stopped
 * in reverse order on SIGINT/SIGTERM, so no child process outlives us. A signal while starting
 * exits at once; once the worker runs, the first one stops it within ML_CONNECTOR_SHUTDOWN_GRACE.
 */
export async function runMainJob(options: MainJobOptions): Promise<number> {
  const { logger, out } = options;
  const signals = trapStopSignals({
    command: 'start',
    graceMs: durationMs(options.config.temporal.shutdownGraceTime),
  });
  let stopping = false;
  void signals.requested.then(() => (stopping = true));
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
      for (const line of sandboxLines(sandbox)) out(line);
    }
    const uiCodec = config.temporal.address ? undefined : await startEmbeddedUiCodec(config, logger);
    if (uiCodec) stops.push(() => uiCodec.server.close());
    const devServerDb = sandbox ? SANDBOX_DB_FILE : undefined;
    const runtime = await openTemporal(config, logger, {
      embedded: true,
      devServerArgs: uiCodec?.devServerArgs,
      devServerDb,
    });
    stops.push(() => runtime.close());
    for (const line of temporalLines({ config, runtime, uiCodec, devServerDb })) out(line);

    const worker = await startWorker(runtime, logger);
    stops.push(() => worker.stop());
    signals.running();
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
      const applied = await applySchedules(runtime.client, runtime.config, company);
      for (const line of await scheduleLines(runtime.client, applied)) out(line);
    } else {
      out('No SAGE300_COMPANY: schedules not applied.');
    }

    if (options.firstSync && company) {
      const firstSyncs = runFirstSyncs(runtime.client, {
        config: runtime.config,
        company,
        sandbox: Boolean(sandbox),
        uiUrl: runtime.devServer && localhostUrl(runtime.devServer.uiUrl),
        preflight: options.preflight,
        stopping: () => stopping,
        logger,
        out,
      });
      await Promise.race([firstSyncs, signals.requested, worker.done]);
    }
    if (!stopping)
      out(
        'Running. In a second terminal, in this folder: npx ml-connector schedule list (more in the README, "Try it"). Ctrl-C stops.',
      );

    const signal = await Promise.race([signals.requested, worker.done.then(() => undefined)]);
    logger.info({ signal }, 'stopping');
    await stopAll();
    return 0;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
