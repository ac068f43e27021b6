import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { Logger } from '../logging/logger.js';
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

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const DEFAULT_ALLOWED_HEADERS = 'authorization, content-type, x-namespace';

function toPayload(p: JsonPayload): Payload {
  if (!p || typeof p !== 'object') throw new HttpError(400, 'each payload must be an object');
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw new HttpError(400, 'metadata values must be base64 strings');
    metadata[k] = Buffer.from(v, 'base64');
  }
  if (p.data !== undefined && typeof p.data !== 'string') throw new HttpError(400, 'data must be base64');
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function fromPayload(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {}))
    if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
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

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    res.statusCode = status;
    if (body === undefined) return res.end();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    res.setHeader('vary', 'Origin');
    // Browsers always send Origin on cross-origin calls; the CLI sends none.
    if (origin !== undefined) {
      if (origin !== allowedOrigin) throw new HttpError(403, 'origin not allowed');
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
      throw new HttpError(404, 'not found: POST /encode or /decode');

    if (req.method === 'OPTIONS') {
      if (origin === undefined) throw new HttpError(403, 'preflight without an origin');
      const asked = req.headers['access-control-request-headers'];
      res.setHeader('access-control-allow-methods', 'POST, OPTIONS');
      res.setHeader(
        'access-control-allow-headers',
        typeof asked === 'string' && /^[A-Za-z0-9-, ]{1,500}$/.test(asked) ? asked : DEFAULT_ALLOWED_HEADERS,
      );
      res.setHeader('access-control-max-age', '600');
      return send(res, 204);
    }
    const given = bearer(req) ?? pathToken;
    if (!given || !constantTimeEqual(given, token)) {
      res.setHeader('www-authenticate', 'Bearer realm="ml-connector codec"');
      throw new HttpError(401, 'missing or wrong bearer token');
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST, OPTIONS');
      throw new HttpError(405, 'use POST');
    }
    let body: { payloads?: JsonPayload[] };
    try {
      body = JSON.parse((await readBody(req, limit)).toString('utf8')) as { payloads?: JsonPayload[] };
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(400, 'body must be JSON');
    }
    if (!body || !Array.isArray(body.payloads)) throw new HttpError(400, 'body must be { payloads: [...] }');
    const payloads = body.payloads.map(toPayload);
    let result: Payload[];
    try {
      result = action === 'encode' ? await codec.encode(payloads) : await codec.decode(payloads);
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
    send(res, 200, { payloads: result.map(fromPayload) });
  };

  const server = createServer((req, res) => {
    handle(req, res).then(
      () => logger?.debug({ method: req.method, status: res.statusCode }, 'codec request'),
      (err: unknown) => {
        const status = err instanceof HttpError ? err.status : 500;
        const message = err instanceof HttpError ? err.message : 'internal error';
        if (status === 500) logger?.error({ err }, 'codec server error');
        else logger?.info({ method: req.method, status }, `codec request refused: ${message}`);
        if (!res.headersSent) send(res, status, { message });
        else res.end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
