import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from '../logging/logger.js';
import { HttpProblem, readJson, sendJson, startHttpServer } from '../shared/http-server.js';
import { constantTimeEqual } from './crypto.js';

/**
 * The HTTP side of the payload codec for the Temporal Web UI and CLI: POST /encode and /decode
 * on `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }` (the proto JSON form they send).
 *
 * Routes: `[/t/<token>][/<namespace>]/(encode|decode)`. The token goes in `Authorization: Bearer`
 * (CLI `--codec-auth`, or a UI with "pass access token"); the `/t/<token>` path prefix exists for
 * the dev server's Web UI, which has no login and so cannot send a bearer token.
 */
export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /** The one browser origin allowed (the Web UI), for example http://127.0.0.1:8233. */
  corsOrigin: string;
  port?: number;
  /** The setting the port came from, named if it is busy. */
  portSetting?: string;
  host?: string;
  logger?: Logger;
  maxBodyBytes?: number;
}

export interface CodecServer {
  /** Base URL without the token, for example http://127.0.0.1:8081. */
  url: string;
  port: number;
  close(): Promise<void>;
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

const DEFAULT_ALLOWED_HEADERS = 'authorization, content-type, x-namespace';

function toPayload(p: JsonPayload): Payload {
  if (!p || typeof p !== 'object') throw new HttpProblem(400, 'each payload must be an object');
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw new HttpProblem(400, 'metadata values must be base64 strings');
    metadata[k] = Buffer.from(v, 'base64');
  }
  if (p.data !== undefined && typeof p.data !== 'string') throw new HttpProblem(400, 'data must be base64');
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function fromPayload(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {}))
    if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(.+)$/i.exec(h.trim()) : null;
  return m?.[1]?.trim();
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const allowedOrigin = new URL(options.corsOrigin).origin;
  const limit = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const { codec, token, logger } = options;
  if (token.length < 16) throw new Error('the codec server token must be at least 16 characters');

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    res.setHeader('vary', 'Origin');
    // Browsers always send Origin on cross-origin calls; the CLI sends none.
    if (origin !== undefined) {
      if (origin !== allowedOrigin) throw new HttpProblem(403, 'origin not allowed');
      res.setHeader('access-control-allow-origin', allowedOrigin);
      res.setHeader('access-control-allow-credentials', 'true');
    }
    const segments = (req.url ?? '/').split('?')[0]!.split('/').filter(Boolean);
    let pathToken: string | undefined;
    if (segments[0] === 't' && segments.length >= 2) {
      pathToken = decodeURIComponent(segments[1]!);
      segments.splice(0, 2);
    }
    const action = segments.at(-1);
    if (segments.length > 2 || (action !== 'encode' && action !== 'decode'))
      throw new HttpProblem(404, 'not found: POST /encode or /decode');

    if (req.method === 'OPTIONS') {
      if (origin === undefined) throw new HttpProblem(403, 'preflight without an origin');
      const asked = req.headers['access-control-request-headers'];
      res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      res.setHeader(
        'access-control-allow-headers',
        typeof asked === 'string' && /^[A-Za-z0-9-, ]{1,500}$/.test(asked) ? asked : DEFAULT_ALLOWED_HEADERS,
      );
      res.setHeader('access-control-max-age', '600');
      return sendJson(res, 204);
    }
    const given = bearer(req) ?? pathToken;
    if (!given || !constantTimeEqual(given, token)) {
      res.setHeader('www-authenticate', 'Bearer realm="ml-connector codec"');
      throw new HttpProblem(401, 'missing or wrong bearer token');
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST, OPTIONS');
      throw new HttpProblem(405, 'use POST');
    }
    const body = (await readJson(req, limit)) as { payloads?: JsonPayload[] } | null;
    if (!body || !Array.isArray(body.payloads))
      throw new HttpProblem(400, 'body must be { payloads: [...] }');
    const payloads = body.payloads.map(toPayload);
    let result: Payload[];
    try {
      result = action === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    } catch (err) {
      throw new HttpProblem(400, (err as Error).message);
    }
    sendJson(res, 200, { payloads: result.map(fromPayload) });
  };

  const running = await startHttpServer({
    async handler(req, res) {
      await handle(req, res);
      logger?.debug({ method: req.method, status: res.statusCode }, 'codec request');
    },
    host: options.host ?? '127.0.0.1',
    port: options.port,
    portSetting: options.portSetting,
    onError(err, req) {
      if (err instanceof HttpProblem)
        logger?.info({ method: req.method, status: err.status }, `codec request refused: ${err.message}`);
      else logger?.error({ err }, 'codec server error');
    },
    sendError: (res, problem) => sendJson(res, problem.status, { message: problem.message }),
  });
  return { url: running.origin, port: running.port, close: running.close };
}
