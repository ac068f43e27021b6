import type { Worker } from '@temporalio/worker';
import type { Logger } from '../logging/logger.js';
import { createActivities } from '../activities/index.js';
import { createConnectorWorker } from './worker.js';
import type { TemporalRuntime } from '../temporal/runtime-env.js';
import { VERSION } from '../shared/version.js';

/** Builds the production worker: real clients from the config, activities from their factories. */
export async function buildWorker(runtime: TemporalRuntime, logger: Logger): Promise<Worker> {
  const { config } = runtime;
  const activities = createActivities({ config, logger, version: VERSION, temporalClient: runtime.client });
  return createConnectorWorker({
    connection: runtime.workerConnection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    dataConverter: runtime.dataConverter,
    shutdownGraceTime: config.temporal.shutdownGraceTime,
  });
}

export interface RunningWorker {
  /** Settles when the worker has stopped: after `stop()`, or by itself on a fatal error. */
  done: Promise<void>;
  /**
   * The one way a worker is stopped: running activities get the worker's shutdown grace
   * (ML_CONNECTOR_SHUTDOWN_GRACE) to finish, then are cancelled. Safe to call more than once and
   * after the worker stopped by itself (a second `Worker.shutdown()` would throw).
   */
  stop(): Promise<void>;
}

export function runWorker(worker: Worker): RunningWorker {
  const done = worker.run();
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
