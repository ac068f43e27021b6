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
