import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { PayloadCodec } from '@temporalio/common';
import type { Logger } from '../logging/logger.js';
import { createLimiter } from '../shared/concurrency.js';
import { HttpProblem, readText, sendJson, startHttpServer } from '../shared/http-server.js';
import { createThrottle } from '../shared/throttle.js';
import { DEFAULT_CODEC_LIMITS, convertInSlices, parsePayloadList, type CodecLimits } from './codec-batch.js';
import { constantTimeEqual } from './crypto.js';
import { loopbackPeerUid } from './loopback-peer.js';

/**
 * The HTTP side of the payload codec for the Temporal Web UI and CLI: POST /encode and /decode
 * (also under a namespace segment, `/default/decode`, as the CLI's endpoint templating sends).
 *
 * Who may call it:
 * - anyone with the token, as `Authorization: Bearer <token>` (CLI `--codec-auth`) or as a
 *   `/t/<token>` path prefix (an endpoint a person types into the Web UI's own Codec Server
 *   setting in their browser, which cannot send a header);
 * - with `trustOwnerBrowser`, a browser on the allowed UI origin whose loopback connection belongs
 *   to the operating-system user running this process. That is how `start`'s embedded UI decodes
 *   with no secret in the dev server's flags or in its unauthenticated /api/v1/settings.
 */
export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /**
   * The browser origin allowed (the Web UI), for example http://127.0.0.1:8233. On loopback its
   * twin is allowed too (localhost and 127.0.0.1, same port): the same UI, reached by either name.
   */
  corsOrigin: string;
  trustOwnerBrowser?: boolean;
  port?: number;
  /** The setting the port came from, named if it is busy. */
  portSetting?: string;
  host?: string;
  logger?: Logger;
  limits?: Partial<CodecLimits>;
}

export interface CodecServer {
  /** Base URL without the token, for example http://127.0.0.1:8081. */
  url: string;
  port: number;
  /** The browser origins it answers. */
  origins: string[];
  close(): Promise<void>;
}

const DEFAULT_ALLOWED_HEADERS = 'authorization, content-type, x-namespace';
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost'];
// Codec work at once; the rest wait their turn within their own time limit.
const CONCURRENT_CONVERSIONS = 2;

function allowedOrigins(corsOrigin: string): Set<string> {
  const url = new URL(corsOrigin);
  const out = new Set([url.origin]);
  if (LOOPBACK_NAMES.includes(url.hostname))
    for (const name of LOOPBACK_NAMES) {
      const twin = new URL(url.origin);
      twin.hostname = name;
      out.add(twin.origin);
    }
  return out;
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(.+)$/i.exec(h.trim()) : null;
  return m?.[1]?.trim();
}

/** `[/t/<token>][/<namespace>]/(encode|decode)`, with any query string ignored. */
function route(rawUrl: string | undefined): { action: 'encode' | 'decode'; pathToken?: string } {
  const segments = (rawUrl ?? '/').split('?')[0]!.split('/').filter(Boolean);
  let pathToken: string | undefined;
  if (segments[0] === 't' && segments.length >= 2) {
    try {
      pathToken = decodeURIComponent(segments[1]!);
    } catch {
      throw new HttpProblem(400, 'malformed %-escape in the path');
    }
    segments.splice(0, 2);
  }
  const action = segments.at(-1);
  if (segments.length > 2 || (action !== 'encode' && action !== 'decode'))
    throw new HttpProblem(404, 'not found: POST /encode or /decode');
  return { action, pathToken };
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const origins = allowedOrigins(options.corsOrigin);
  const limits: CodecLimits = { ...DEFAULT_CODEC_LIMITS, ...options.limits };
  const { codec, token, logger } = options;
  if (token.length < 16) throw new Error('the codec server token must be at least 16 characters');
  const ownUid = options.trustOwnerBrowser ? process.getuid?.() : undefined;
  const peerUids = new WeakMap<Socket, Promise<number | undefined>>();
  const conversions = createLimiter(CONCURRENT_CONVERSIONS);
  const refusals = createThrottle(60_000);

  /** A browser (it sent an allowed Origin) on a connection the kernel says is our own user's. */
  const isOwnerBrowser = async (req: IncomingMessage, origin: string | undefined) => {
    if (ownUid === undefined || origin === undefined) return false;
    let uid = peerUids.get(req.socket);
    if (!uid) peerUids.set(req.socket, (uid = loopbackPeerUid(req.socket)));
    return (await uid) === ownUid;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const arrived = Date.now();
    const origin = req.headers.origin;
    res.setHeader('vary', 'Origin');
    // Browsers always send Origin on cross-origin calls; the CLI sends none.
    if (origin !== undefined) {
      if (!origins.has(origin)) throw new HttpProblem(403, 'origin not allowed');
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
    }
    const { action, pathToken } = route(req.url);

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
    const allowed = given ? constantTimeEqual(given, token) : await isOwnerBrowser(req, origin);
    if (!allowed) {
      res.setHeader('www-authenticate', 'Bearer realm="ml-connector codec"');
      throw new HttpProblem(401, 'missing or wrong bearer token');
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST, OPTIONS');
      throw new HttpProblem(405, 'use POST');
    }
    const list = parsePayloadList(await readText(req, { limit: limits.maxBodyBytes }), limits);
    const payloads = await conversions.run(() =>
      convertInSlices(list, (p) => (action === 'encode' ? codec.encode(p) : codec.decode(p)), {
        deadline: arrived + limits.timeoutMs,
        timeoutMs: limits.timeoutMs,
        abandoned: () => res.destroyed || req.socket.destroyed,
      }),
    );
    sendJson(res, 200, { payloads });
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
      if (!(err instanceof HttpProblem)) return void logger?.error({ err }, 'codec server error');
      // A client retrying without the token (or a scan) is one line a minute, not one per request.
      const held = refusals.admit(String(err.status));
      if (held !== undefined)
        logger?.info(
          { method: req.method, status: err.status, heldBack: held },
          `codec request refused: ${err.message} (more of these within a minute are counted, not logged)`,
        );
    },
    sendError: (res, problem) => sendJson(res, problem.status, { message: problem.message }, problem.headers),
  });
  return { url: running.origin, port: running.port, origins: [...origins], close: running.close };
}
