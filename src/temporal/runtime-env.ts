import { join, resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { NativeConnection } from '@temporalio/worker';
import type { AppConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { requireTemporalCli } from './cli-path.js';
import { connectClient, connectWorker, ensureSearchAttributes } from './connection.js';
import { startDevServer, type DevServer } from './dev-server.js';
import { createDataConverter } from './data-converter.js';
import { installRuntime } from './runtime.js';

export interface TemporalRuntime {
  config: AppConfig;
  dataConverter: DataConverter;
  client: Client;
  workerConnection: NativeConnection;
  devServer?: DevServer;
  close(): Promise<void>;
}

/**
 * Connects to TEMPORAL_ADDRESS, or starts the embedded dev server (SQLite under the data folder,
 * Web UI on) when it is unset. Returns the config with the address filled in. The Temporal runtime
 * is installed only once the configuration and the server were accepted: until its last connection
 * closes it keeps the process alive, so a refused start-up must not have installed it.
 */
export async function openTemporal(
  config: AppConfig,
  logger: Logger,
  options: {
    embedded: boolean;
    devServerArgs?: string[];
    /** The dev server's database under `<dataDir>/temporal/` (the sandbox keeps one of its own). */
    devServerDb?: string;
  },
): Promise<TemporalRuntime> {
  // From the user's config, not `effective`: whether a master key may be created depends on
  // whether this machine runs its own Temporal (see createPayloadCodec).
  const dataConverter = await createDataConverter(config, logger);
  let devServer: DevServer | undefined;
  let effective = config;
  if (!config.temporal.address) {
    if (!options.embedded)
      throw new Error(
        'TEMPORAL_ADDRESS is not set: point it at a Temporal server (for example localhost:7233)',
      );
    devServer = await startDevServer({
      cliPath: config.temporal.cliPath ?? requireTemporalCli(),
      dbFile: join(resolve(config.app.dataDir), 'temporal', options.devServerDb ?? 'dev.sqlite'),
      port: config.temporal.devServerPort,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      logger,
      extraArgs: options.devServerArgs,
    });
    effective = { ...config, temporal: { ...config.temporal, address: devServer.address } };
  }
  try {
    const setting = devServer ? 'TEMPORAL_DEV_SERVER_PORT' : 'TEMPORAL_ADDRESS';
    const client = await connectClient(effective.temporal, dataConverter, setting);
    await ensureSearchAttributes(client, effective.temporal.namespace, logger);
    installRuntime(logger);
    const workerConnection = await connectWorker(effective.temporal, setting).catch(async (err: unknown) => {
      await client.connection.close();
      throw err;
    });
    return {
      config: effective,
      dataConverter,
      client,
      workerConnection,
      devServer,
      async close() {
        await workerConnection.close().catch(() => undefined);
        await client.connection.close().catch(() => undefined);
        await devServer?.stop();
      },
    };
  } catch (err) {
    await devServer?.stop();
    throw err;
  }
}
