import type { Command } from '../command.js';
import { installRuntime } from '../../temporal/runtime.js';
import { openTemporal } from '../../temporal/runtime-env.js';
import { buildWorker } from '../../worker/run-worker.js';
import { waitForShutdownSignal } from '../../shared/signals.js';

export const command: Command = {
  summary: 'Run a worker on the task queue of TEMPORAL_ADDRESS (add more on other machines to scale out).',
  usage: 'ml-connector worker',
  async run(_argv, ctx) {
    const config = await ctx.config();
    const logger = ctx.logger();
    installRuntime(logger);
    const runtime = await openTemporal(config, logger, { embedded: false });
    const worker = await buildWorker(runtime, logger);
    const running = worker.run();
    logger.info(
      { address: runtime.config.temporal.address, taskQueue: config.temporal.taskQueue },
      'worker polling',
    );
    const signal = await Promise.race([waitForShutdownSignal(), running.then(() => undefined)]);
    if (signal) {
      logger.info({ signal }, 'shutting down worker');
      worker.shutdown();
    }
    await running;
    await runtime.close();
    return 0;
  },
};
