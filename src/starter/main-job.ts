import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { installRuntime } from '../temporal/runtime.js';
import { openTemporal } from './runtime-env.js';
import { buildWorker } from './run-worker.js';
import { waitForShutdownSignal } from './signals.js';

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
    const runtime = await openTemporal(options.config, logger, { embedded: true });
    stops.push(() => runtime.close());
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

    const signal = await Promise.race([waitForShutdownSignal(), running.then(() => undefined)]);
    logger.info({ signal }, 'stopping');
    await stopAll();
    return 0;
  } catch (err) {
    await stopAll();
    throw err;
  }
}
