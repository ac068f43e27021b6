import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../config/index.js';
import type { Logger } from '../../logging/logger.js';
import { connectClient, ensureSearchAttributes } from '../../temporal/connection.js';
import { createDataConverter } from '../../temporal/data-converter.js';
import { startWebhookReceiver, type WebhookReceiver } from './receiver.js';

/**
 * For `ml-connector start`: the receiver when WEBHOOK_PORT is set (undefined otherwise), on the
 * connector's task queue, with the client the job already has (it carries the encrypting converter).
 */
export async function startConfiguredWebhookReceiver(opts: {
  config: AppConfig;
  client: Client;
  logger: Logger;
  port?: number;
  host?: string;
}): Promise<WebhookReceiver | undefined> {
  const port = opts.port ?? opts.config.webhooks.port;
  if (port === undefined) return undefined;
  if (!opts.config.webhooks.secret)
    throw new Error(
      'WEBHOOK_PORT is set but WEBHOOK_SECRET is not: set a random secret of at least 16 characters',
    );
  return startWebhookReceiver({
    port,
    portSetting: opts.port === undefined ? 'WEBHOOK_PORT' : '--port',
    host: opts.host,
    secret: opts.config.webhooks.secret,
    client: opts.client,
    taskQueue: opts.config.temporal.taskQueue,
    logger: opts.logger,
  });
}

export interface WebhookService {
  receiver: WebhookReceiver;
  client: Client;
  close(): Promise<void>;
}

/** `webhooks serve`: its own Temporal client (TEMPORAL_ADDRESS, encrypting converter) and the receiver. */
export async function openWebhookService(opts: {
  config: AppConfig;
  logger: Logger;
  port?: number;
  host?: string;
}): Promise<WebhookService> {
  const { config, logger } = opts;
  if ((opts.port ?? config.webhooks.port) === undefined) throw new Error('set WEBHOOK_PORT or pass --port N');
  if (!config.temporal.address) throw new Error('TEMPORAL_ADDRESS is not set');
  const client = await connectClient(config.temporal, await createDataConverter(config, logger));
  try {
    await ensureSearchAttributes(client, config.temporal.namespace, logger);
    const receiver = await startConfiguredWebhookReceiver({ ...opts, client });
    if (!receiver) throw new Error('set WEBHOOK_PORT or pass --port N');
    return {
      receiver,
      client,
      async close() {
        await receiver.stop();
        await client.connection.close();
      },
    };
  } catch (err) {
    await client.connection.close();
    throw err;
  }
}
