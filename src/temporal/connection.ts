import { readFileSync } from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { TemporalConfig } from '../config/index.js';
import { ALL_SEARCH_ATTRIBUTES } from './search-attributes.js';
import type { Logger } from '../logging/logger.js';

function tlsOptions(config: TemporalConfig): ConnectionOptions['tls'] {
  if (config.tlsCertFile || config.tlsCaFile) {
    return {
      serverRootCACertificate: config.tlsCaFile ? readFileSync(config.tlsCaFile) : undefined,
      clientCertPair:
        config.tlsCertFile && config.tlsKeyFile
          ? { crt: readFileSync(config.tlsCertFile), key: readFileSync(config.tlsKeyFile) }
          : undefined,
    };
  }
  return config.apiKey ? true : undefined;
}

export function requireAddress(config: TemporalConfig): string {
  if (!config.address)
    throw new Error('TEMPORAL_ADDRESS is not set (and no embedded dev server was started)');
  return config.address;
}

export async function connectClient(config: TemporalConfig, dataConverter?: DataConverter): Promise<Client> {
  const connection = await Connection.connect({
    address: requireAddress(config),
    tls: tlsOptions(config),
    apiKey: config.apiKey,
  });
  return new Client({ connection, namespace: config.namespace, dataConverter });
}

export async function connectWorker(config: TemporalConfig): Promise<NativeConnection> {
  const options: NativeConnectionOptions = {
    address: requireAddress(config),
    tls: tlsOptions(config) as NativeConnectionOptions['tls'],
    apiKey: config.apiKey,
  };
  return NativeConnection.connect(options);
}

/**
 * Registers the connector's search attributes on a cluster that lacks them. The embedded dev server
 * gets them on its command line; a shared cluster may refuse (Temporal Cloud does this through its
 * own console), in which case we only warn: jobs still run, they are just harder to find.
 */
export async function ensureSearchAttributes(
  client: Client,
  namespace: string,
  logger?: Logger,
): Promise<void> {
  try {
    const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
    const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !(k.name in (existing.customAttributes ?? {})));
    if (missing.length === 0) return;
    const IVT = proto.temporal.api.enums.v1.IndexedValueType;
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        missing.map((k) => [
          k.name,
          k.type === 'INT' ? IVT.INDEXED_VALUE_TYPE_INT : IVT.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    });
    logger?.info({ added: missing.map((k) => k.name) }, 'registered search attributes');
  } catch (err) {
    logger?.warn(
      { err },
      'could not register search attributes; register them with `temporal operator search-attribute create`',
    );
  }
}
