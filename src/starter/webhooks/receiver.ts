import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Logger } from '../../logging/logger.js';
import { parseFormBody, FormParseError } from '../../domain/webhooks/parse-form.js';
import { toWebhookEvent, WebhookEventError, type WebhookEvent } from '../../domain/webhooks/event-schema.js';
import { WEBHOOK_PATH_PREFIX, secretMatches, webhookPath } from './secret.js';
import { recordEvent, isTemporalUnavailable } from './record-event.js';

export interface WebhookReceiverOptions {
  port: number;
  /** Default 0.0.0.0: Mailchimp (or a reverse proxy in front of us) must reach it. */
  host?: string;
  secret: string;
  client: Client;
  taskQueue: string;
  logger: Logger;
  /** Bodies above this get 413; default 64 KiB (Mailchimp events are a few hundred bytes). */
  maxBodyBytes?: number;
  /** Bound on the Temporal start call; Mailchimp gives up after 10 s. Default 5 s. */
  startTimeoutMs?: number;
}

export interface WebhookReceiver {
  /** The full webhook URL, secret included: register it with Mailchimp, never log it. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const DEFAULT_MAX_BODY = 64 * 1024;
const ALLOW = 'GET, HEAD, POST';

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

/** The secret segment of the request path, or undefined when the path is not the webhook's at all. */
function secretFromPath(rawUrl: string | undefined): { candidate?: string } | undefined {
  const path = (rawUrl ?? '/').split('?')[0] ?? '/';
  if (path !== WEBHOOK_PATH_PREFIX && !path.startsWith(`${WEBHOOK_PATH_PREFIX}/`)) return undefined;
  const rest = path.slice(WEBHOOK_PATH_PREFIX.length + 1);
  if (rest === '' || rest.includes('/')) return {};
  try {
    return { candidate: decodeURIComponent(rest) };
  } catch {
    return {};
  }
}

function isFormContentType(header: string | undefined): boolean {
  const mediaType = (header ?? '').split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}

/**
 * Reads the body up to `limit` bytes. Past the limit it stops collecting at once and rejects with
 * 413; the rest of the upload is discarded (briefly, so the client can still read our answer).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpProblem(413, `body larger than ${limit} bytes`, { connection: 'close' }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(new HttpProblem(413, `body larger than ${limit} bytes`, { connection: 'close' }));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => (cleanup(), resolve(Buffer.concat(chunks)));
    const onError = () => (
      cleanup(),
      reject(new HttpProblem(400, 'body cut short: the client closed the connection'))
    );
    const onClose = () => (
      cleanup(),
      reject(new HttpProblem(400, 'body cut short: the client closed the connection'))
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** After a 413: throw the rest of the upload away, and cut the connection if it keeps coming. */
function discardRest(req: IncomingMessage): void {
  req.on('error', () => undefined);
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), 2000);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
}

function decodeUtf8(body: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new HttpProblem(400, 'body is not valid UTF-8');
  }
}

function parseEvent(body: Buffer): WebhookEvent {
  try {
    return toWebhookEvent(parseFormBody(decodeUtf8(body)));
  } catch (err) {
    if (err instanceof FormParseError) throw new HttpProblem(400, `malformed form body: ${err.message}`);
    if (err instanceof WebhookEventError) throw new HttpProblem(400, err.message);
    throw err;
  }
}

/**
 * The Mailchimp webhook receiver: authenticates by the secret in the path, answers Mailchimp's GET
 * validation, turns each POSTed event into a `recordWebhookEvent` workflow, and answers 2xx only
 * once the event is recorded in Temporal (503 otherwise, so Mailchimp retries).
 */
export async function startWebhookReceiver(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
  const logger = options.logger.child({ component: 'webhook-receiver' });
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const startTimeoutMs = options.startTimeoutMs ?? 5000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const where = secretFromPath(req.url);
    if (!where) throw new HttpProblem(404, 'not found');
    if (!secretMatches(where.candidate, options.secret)) throw new HttpProblem(401, 'unauthorized');
    if (req.method === 'GET' || req.method === 'HEAD') {
      // Mailchimp's validator GETs the URL when the webhook is registered and expects 200.
      send(res, 200, { ok: true });
      return;
    }
    if (req.method !== 'POST')
      throw new HttpProblem(405, `method ${req.method} not allowed`, { allow: ALLOW });
    if (!isFormContentType(req.headers['content-type'])) {
      throw new HttpProblem(415, 'content type must be application/x-www-form-urlencoded');
    }
    const event = parseEvent(await readBody(req, limit));
    const outcome = await recordEvent(options.client, event, {
      taskQueue: options.taskQueue,
      timeoutMs: startTimeoutMs,
    });
    logger.info(
      {
        type: event.type,
        listId: event.data.list_id,
        workflowId: outcome.workflowId,
        duplicate: outcome.duplicate,
      },
      outcome.duplicate ? 'webhook event already recorded' : 'webhook event recorded',
    );
    send(res, 200, { ok: true, workflowId: outcome.workflowId, duplicate: outcome.duplicate });
  }

  const server = createServer({ requestTimeout: 15_000, headersTimeout: 10_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpProblem) {
        // The path may hold a (wrong) secret: log neither it nor the URL.
        logger.warn(
          { status: err.status, reason: err.message, method: req.method },
          'webhook request rejected',
        );
        send(res, err.status, { error: err.message }, err.headers);
        if (err.status === 413) discardRest(req);
        return;
      }
      if (isTemporalUnavailable(err)) {
        logger.error({ err }, 'Temporal unreachable: webhook event not recorded, Mailchimp will retry');
        send(res, 503, { error: 'event store unavailable, retry later' }, { 'retry-after': '30' });
        return;
      }
      logger.error({ err }, 'webhook event could not be recorded');
      send(res, 500, { error: 'internal error' });
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => (server.off('error', reject), resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  const bound = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const shownHost = bound.includes(':') ? `[${bound}]` : bound;
  logger.info({ host, port }, 'webhook receiver listening');
  return {
    url: `http://${shownHost}:${port}${webhookPath(options.secret)}`,
    port,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
