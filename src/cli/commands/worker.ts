import type { Command } from '../command.js';
import { openTemporal } from '../../temporal/runtime-env.js';
import { startWorker } from '../../worker/run-worker.js';
import { durationMs, trapStopSignals } from '../../shared/signals.js';

export const command: Command = {
  summary: 'Run a worker on the task queue of TEMPORAL_ADDRESS (add more on other machines to scale out).',
  usage: 'ml-connector worker',
  async run(_argv, ctx) {
    const config = await ctx.config();
    const logger = ctx.logger();
    const signals = trapStopSignals({
      command: 'worker',
      graceMs: durationMs(config.temporal.shutdownGraceTime),
    });
    const runtime = await openTemporal(config, logger, { embedded: false });
    try {
      const worker = await startWorker(runtime, logger);
      signals.running();
      logger.info(
        { address: runtime.config.temporal.address, taskQueue: config.temporal.taskQueue },
        'worker polling',
      );
      const signal = await Promise.race([signals.requested, worker.done.then(() => undefined)]);
      if (signal) logger.info({ signal }, 'stopping worker');
      await worker.stop();
    } finally {
      await runtime.close();
    }
    return 0;
  },
};
