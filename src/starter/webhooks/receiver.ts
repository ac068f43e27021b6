import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Logger } from '../../logging/logger.js';
import { HttpProblem, readText, sendJson, startHttpServer } from '../../shared/http-server.js';
import { parseFormBody, FormParseError } from '../../domain/webhooks/parse-form.js';
import { toWebhookEvent, WebhookEventError, type WebhookEvent } from '../../domain/webhooks/event-schema.js';
import { OccurrenceCounter } from '../../domain/webhooks/occurrences.js';
import { createThrottle } from '../../shared/throttle.js';
import { WEBHOOK_PATH_PREFIX, secretMatches, webhookPath } from './secret.js';
import { recordEvent, isTemporalUnavailable } from './record-event.js';

export interface WebhookReceiverOptions {
  port: number;
  /** The setting the port came from, named if it is busy. */
  portSetting?: string;
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
const FORM = 'application/x-www-form-urlencoded';

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  sendJson(res, status, body, { 'cache-control': 'no-store', ...headers });

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

function parseEvent(body: string): WebhookEvent {
  try {
    return toWebhookEvent(parseFormBody(body));
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
  const occurrences = new OccurrenceCounter();
  const unauthenticatedLines = createThrottle(60_000);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = Date.now();
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
    const event = parseEvent(await readText(req, { limit, mediaType: FORM }));
    const outcome = await recordEvent(options.client, event, {
      taskQueue: options.taskQueue,
      timeoutMs: startTimeoutMs,
      occurrence: occurrences.occurrence(event, receivedAt),
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

  const host = options.host ?? '0.0.0.0';
  const running = await startHttpServer({
    handler: handle,
    host,
    port: options.port,
    portSetting: options.portSetting,
    requestTimeoutMs: 15_000,
    headersTimeoutMs: 10_000,
    onError(err, req) {
      if (err instanceof HttpProblem) {
        // The path may hold a (wrong) secret: log neither it nor the URL.
        const fields = { status: err.status, reason: err.message, method: req.method };
        if (err.status !== 401 && err.status !== 404)
          return void logger.warn(fields, 'webhook request rejected');
        // Anyone can send these (a scanner, a stale URL in a loop): one line a minute per status.
        const heldBack = unauthenticatedLines.admit(String(err.status));
        if (heldBack !== undefined)
          logger.warn(
            { ...fields, heldBack },
            'webhook request without the secret rejected (more within a minute are counted, not logged)',
          );
        return;
      }
      if (isTemporalUnavailable(err)) {
        logger.error({ err }, 'Temporal unreachable: webhook event not recorded, Mailchimp will retry');
        return new HttpProblem(503, 'event store unavailable, retry later', { 'retry-after': '30' });
      }
      logger.error({ err }, 'webhook event could not be recorded');
    },
    sendError: (res, problem) => send(res, problem.status, { error: problem.message }, problem.headers),
  });
  const port = running.port;
  logger.info({ host, port }, 'webhook receiver listening');
  return { url: `${running.origin}${webhookPath(options.secret)}`, port, stop: running.close };
}
