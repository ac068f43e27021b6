import type { Worker } from '@temporalio/worker';
import type { Logger } from '../logging/logger.js';
import { createActivities } from '../activities/index.js';
import { createConnectorWorker } from './worker.js';
import type { TemporalRuntime } from '../temporal/runtime-env.js';
import { VERSION } from '../shared/version.js';
import { credentialLimiter } from '../mailchimp/limiter.js';
import { joinConnectionBudget, type ConnectionShare } from './connection-share.js';

/** Builds the production worker: real clients from the config, activities from their factories. */
async function buildWorker(runtime: TemporalRuntime, logger: Logger): Promise<Worker> {
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

/**
 * The share of the deployment's Mailchimp connections this process takes, unless
 * MAILCHIMP_CONNECTION_BUDGET is per-process or no Mailchimp credential is set (nothing to share).
 */
function joinSharedBudget(runtime: TemporalRuntime, logger: Logger): ConnectionShare | undefined {
  const { mailchimp, temporal } = runtime.config;
  const secret = mailchimp.apiKey ?? mailchimp.oauthToken;
  if (mailchimp.connectionBudget !== 'shared' || !secret) return undefined;
  const { credentialId, limiter } = credentialLimiter(secret, mailchimp.maxConnections);
  return joinConnectionBudget({
    client: runtime.client,
    taskQueue: temporal.taskQueue,
    credentialId,
    budget: mailchimp.maxConnections,
    limiter,
    logger,
  });
}

/** The worker of `start` and `worker`: built from the config, running, in the connection budget. */
export async function startWorker(runtime: TemporalRuntime, logger: Logger): Promise<RunningWorker> {
  const worker = await buildWorker(runtime, logger);
  return runWorker(worker, joinSharedBudget(runtime, logger));
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

/** Runs `worker`; its connection share, if any, is given back once it has stopped. */
function runWorker(worker: Worker, share?: ConnectionShare): RunningWorker {
  const done = share ? worker.run().finally(() => share.stop()) : worker.run();
  return {
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
