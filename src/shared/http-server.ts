import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The one way this project serves HTTP (webhook receiver, codec server, both simulators): listen,
 * bounded body reading, JSON answers, and a close that does not wait for idle keep-alive clients.
 */

/** An answer to give instead of the handler's: thrown by handlers and by the body readers below. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Thrown by `startHttpServer` when another process holds the port; `setting` names where it came from. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(
    readonly host: string,
    readonly port: number,
    readonly setting?: string,
  ) {
    super(
      `port ${port} on ${host}${setting ? ` (${setting})` : ''} is already in use: stop the process ` +
        `holding it${setting ? `, or give ${setting} another port` : ''}`,
    );
  }
}

export interface HttpServerOptions {
  handler: (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
  /** Default 127.0.0.1; 0.0.0.0 or :: to be reachable from other machines. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Where the port came from (a setting or flag), named in the busy-port error. */
  portSetting?: string;
  tls?: { key: string | Buffer; cert: string | Buffer };
  requestTimeoutMs?: number;
  headersTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /**
   * Sees every error a request ends with (to log it). May return the answer to give; otherwise an
   * HttpProblem answers for itself and anything else is a 500 that says only "internal error".
   */
  onError?: (err: unknown, req: IncomingMessage) => HttpProblem | void;
  /** Writes an error answer; default `{ "error": message }` as JSON. */
  sendError?: (res: ServerResponse, problem: HttpProblem) => void;
}

export interface RunningHttpServer {
  server: http.Server | https.Server;
  port: number;
  /** For example http://127.0.0.1:8081 (a wildcard host shows as 127.0.0.1). */
  origin: string;
  /** Stops listening and ends every connection, idle keep-alive ones included. */
  close(): Promise<void>;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  if (status === 204 || body === undefined) {
    res.writeHead(status, out).end();
    return;
  }
  const text = JSON.stringify(body);
  out['content-type'] ??= 'application/json; charset=utf-8';
  out['content-length'] = String(Buffer.byteLength(text));
  res.writeHead(status, out).end(text);
}

/** An RFC 7807 problem document (`type`, `title`, `status`, `detail`, ...), as Mailchimp answers errors. */
export function sendProblem(
  res: ServerResponse,
  status: number,
  document: unknown,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, document, { 'content-type': 'application/problem+json; charset=utf-8', ...headers });
}

const sendErrorJson = (res: ServerResponse, p: HttpProblem) =>
  sendJson(res, p.status, { error: p.message }, p.headers);

/**
 * The body, at most `limit` bytes. Past the limit it stops collecting at once and throws a 413
 * (the rest of the upload is discarded once answered); a client that hangs up mid-body gets a 400.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new HttpProblem(413, `body larger than ${limit} bytes`, { connection: 'close' });
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(tooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onCut);
      req.off('close', onCut);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      cleanup();
      reject(tooLarge());
    };
    const onEnd = () => (cleanup(), resolve(Buffer.concat(chunks)));
    const onCut = () => (
      cleanup(),
      reject(new HttpProblem(400, 'body cut short: the client closed the connection'))
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onCut);
    req.on('close', onCut);
  });
}

/** The body as UTF-8 text (400 if it is not); with `mediaType`, any other content type is a 415. */
export async function readText(
  req: IncomingMessage,
  options: { limit: number; mediaType?: string },
): Promise<string> {
  if (options.mediaType) {
    const given = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (given !== options.mediaType) throw new HttpProblem(415, `content type must be ${options.mediaType}`);
  }
  const body = await readBody(req, options.limit);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new HttpProblem(400, 'body is not valid UTF-8');
  }
}

/** The body parsed as JSON (400 if it is not). */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const text = await readText(req, { limit });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpProblem(400, 'body must be JSON');
  }
}

/** After a 413: throw the rest of the upload away, and cut the connection if it keeps coming. */
function discardRest(req: IncomingMessage): void {
  // A 413 given after the whole body was read (too many items, not too many bytes) leaves nothing
  // to discard: the timer below would cut the kept-alive connection under the client's next request.
  if (req.complete) return;
  req.on('error', () => undefined);
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), 2000);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
}

function answerError(options: HttpServerOptions, err: unknown, req: IncomingMessage, res: ServerResponse) {
  const problem =
    options.onError?.(err, req) ??
    (err instanceof HttpProblem ? err : new HttpProblem(500, 'internal error'));
  // Half an answer cannot be turned into an error answer: cut it, so the client sees a failure.
  if (res.headersSent) return void res.destroy();
  (options.sendError ?? sendErrorJson)(res, problem);
  if (problem.status === 413) discardRest(req);
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    Promise.resolve()
      .then(() => options.handler(req, res))
      .catch((err: unknown) => answerError(options, err, req, res))
      .catch(() => res.destroy());
  };
  const server = options.tls
    ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : http.createServer(onRequest);
  if (options.requestTimeoutMs !== undefined) server.requestTimeout = options.requestTimeoutMs;
  if (options.headersTimeoutMs !== undefined) server.headersTimeout = options.headersTimeoutMs;
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  // Raw TCP sockets, TLS handshakes in progress included: close() ends them all.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    const onListenError = (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' ? new PortInUseError(host, options.port ?? 0, options.portSetting) : err,
      );
    server.once('error', onListenError);
    server.listen(options.port ?? 0, host, () => (server.off('error', onListenError), resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    server,
    port,
    origin: `${options.tls ? 'https' : 'http'}://${shown.includes(':') ? `[${shown}]` : shown}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      }),
  };
}
