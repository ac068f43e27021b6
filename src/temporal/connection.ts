import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
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

/** Temporal is not there: the one line a process exits with, naming the address and its setting. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
  constructor(address: string, setting: string, reason: string) {
    super(`cannot reach Temporal at ${address} (${setting}): ${reason}`);
  }
}

const CONNECT_TIMEOUT_MS = 10_000;

const SOCKET_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset',
};

/**
 * A plain TCP connect first: gRPC would retry a refused port until its deadline and then say only
 * "Failed to connect before the deadline"; the socket's error says why at once.
 */
function probeTcp(address: string): Promise<string | undefined> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1));
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: CONNECT_TIMEOUT_MS });
    socket.once('connect', () => (socket.destroy(), resolve(undefined)));
    socket.once(
      'timeout',
      () => (socket.destroy(), resolve(`no answer within ${CONNECT_TIMEOUT_MS / 1000}s`)),
    );
    socket.once('error', (err: NodeJS.ErrnoException) =>
      resolve((err.code && SOCKET_ERRORS[err.code]) ?? err.message),
    );
  });
}

/**
 * A client on TEMPORAL_ADDRESS (or the embedded server's address; `setting` names where the
 * address came from). Fails with a {@link TemporalUnreachableError} within seconds, leaving no
 * connection open behind it, so a process that cannot reach Temporal exits.
 */
export async function connectClient(
  config: TemporalConfig,
  dataConverter?: DataConverter,
  setting = 'TEMPORAL_ADDRESS',
): Promise<Client> {
  const address = requireAddress(config);
  const refused = await probeTcp(address);
  if (refused) throw new TemporalUnreachableError(address, setting, refused);
  const connection = Connection.lazy({
    address,
    tls: tlsOptions(config),
    apiKey: config.apiKey,
    connectTimeout: CONNECT_TIMEOUT_MS,
  });
  try {
    await connection.ensureConnected();
  } catch (err) {
    await connection.close().catch(() => undefined);
    const tls = config.apiKey || config.tlsCaFile || config.tlsCertFile;
    throw new TemporalUnreachableError(
      address,
      setting,
      `the port is open but no Temporal frontend answered (${causeOf(err)}); ` +
        (tls ? 'check TEMPORAL_TLS_* and TEMPORAL_API_KEY' : 'does it need TLS (TEMPORAL_TLS_CA_FILE)?'),
    );
  }
  return new Client({ connection, namespace: config.namespace, dataConverter });
}

export async function connectWorker(
  config: TemporalConfig,
  setting = 'TEMPORAL_ADDRESS',
): Promise<NativeConnection> {
  const address = requireAddress(config);
  try {
    return await NativeConnection.connect({
      address,
      tls: tlsOptions(config) as NativeConnectionOptions['tls'],
      apiKey: config.apiKey,
    });
  } catch (err) {
    throw new TemporalUnreachableError(address, setting, causeOf(err));
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  return ((cause ?? err) as Error).message;
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
