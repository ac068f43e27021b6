import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createActivities } from '../src/activities/index.js';
import { loadConfig, type AppConfig } from '../src/config/index.js';
import type { Logger } from '../src/logging/logger.js';
import { requireTemporalCli } from '../src/temporal/cli-path.js';
import { createDataConverter } from '../src/temporal/data-converter.js';
import { startDevServer } from '../src/temporal/dev-server.js';
import { freePort } from '../src/shared/free-port.js';
import { createConnectorWorker } from '../src/worker/worker.js';

export interface BenchStack {
  address: string;
  config: AppConfig;
  client: Client;
  worker: Worker;
  /** Stops the worker, the connections and the dev server, in that order. */
  stop(): Promise<void>;
}

/**
 * What a benchmark runs the connector on: its own dev server (database in `dir`), and a client and
 * worker set up as in production, payload encryption included, so the numbers carry its cost.
 */
export async function startBenchStack(opts: {
  dir: string;
  logger: Logger;
  taskQueue: string;
  /** Connector settings (Sage, Mailchimp); Temporal, key and data folder are filled in here. */
  env: Record<string, string>;
  shutdownGraceTime?: string;
}): Promise<BenchStack> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const server = await startDevServer({
      cliPath: requireTemporalCli(),
      dbFile: join(opts.dir, 'temporal.sqlite'),
      port: await freePort(),
      uiPort: await freePort(),
      namespace: 'default',
      logger: opts.logger,
      extraArgs: ['--headless'],
    });
    stops.push(() => server.stop());
    const config = loadConfig({
      env: {
        LOG_LEVEL: 'warn',
        ...opts.env,
        TEMPORAL_ADDRESS: server.address,
        ML_CONNECTOR_TASK_QUEUE: opts.taskQueue,
        ML_CONNECTOR_DATA_DIR: opts.dir,
        ML_CONNECTOR_MASTER_KEY: randomBytes(32).toString('base64'),
      },
    });
    const dataConverter = await createDataConverter(config, opts.logger);
    const connection = await Connection.connect({ address: server.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default', dataConverter });
    const native = await NativeConnection.connect({ address: server.address });
    stops.push(() => native.close());
    const worker = await createConnectorWorker({
      connection: native,
      namespace: 'default',
      taskQueue: opts.taskQueue,
      activities: createActivities({ config, logger: opts.logger, version: 'bench', temporalClient: client }),
      dataConverter,
      shutdownGraceTime: opts.shutdownGraceTime ?? '5s',
    });
    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
    });
    return { address: server.address, config, client, worker, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The settings that point the connector at both simulators (tests add their own timeouts to them). */
export function simulatorConnection(
  sage: { baseUrl: string; company: string; username: string; password: string },
  mc: { apiKey: string; apiUrl: string },
  listId: string,
): Record<string, string> {
  return {
    SAGE300_BASE_URL: sage.baseUrl,
    SAGE300_COMPANY: sage.company,
    SAGE300_USERNAME: sage.username,
    SAGE300_PASSWORD: sage.password,
    MAILCHIMP_API_KEY: mc.apiKey,
    MAILCHIMP_API_URL: mc.apiUrl,
    MAILCHIMP_LIST_ID: listId,
  };
}

/** The simulators' settings with the store the order suites use and the bench's connection cap. */
export function simulatorEnv(
  sage: { baseUrl: string; company: string; username: string; password: string },
  mc: { apiKey: string; apiUrl: string },
  listId: string,
  maxConnections: number,
): Record<string, string> {
  return {
    ...simulatorConnection(sage, mc, listId),
    MAILCHIMP_STORE_ID: 'bench-store',
    MAILCHIMP_MAX_CONNECTIONS: String(Math.min(10, maxConnections)),
  };
}
