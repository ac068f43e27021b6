import type http from 'node:http';
import { sendJson as sendHttpJson, startHttpServer, type HttpProblem } from '../../src/shared/http-server.js';
import { Sage300Data } from './data.js';
import { FaultInjector, type Sage300FaultSettings } from './faults.js';
import { makeCustomer, makeItem, makeOrder } from './generate.js';
import {
  QueryError,
  parseKeySegment,
  parseQuery,
  project,
  propTypesOf,
  runQuery,
  type SetInfo,
} from './query.js';
import type { Collation } from './filter-parser.js';

export type { Sage300FaultSettings } from './faults.js';
export type { Collation } from './filter-parser.js';
export { Sage300Data } from './data.js';

export interface Sage300SimulatorOptions {
  port?: number;
  /** Listen address (default 127.0.0.1). */
  host?: string;
  company?: string;
  /** Stored upper-case, like Sage user IDs. */
  username?: string;
  password?: string;
  /** legacy-uppercase: the stored password is upper-case and compared exactly, so a client must upper-case. */
  passwordMode?: 'legacy-uppercase' | 'exact';
  /** More logins; `modules` limits the "Sage 300 Web API" right (default: all). */
  users?: { username: string; password: string; modules?: string[] }[];
  /** ADMIN is blocked unless AllowWebApiAccessForAdmin=true. */
  allowAdmin?: boolean;
  /** Web.config PageSize: $top above it is capped silently. Default 100. */
  pageSize?: number;
  /** Send @odata.nextLink when a capped page leaves rows behind (default true). */
  nextLink?: boolean;
  /**
   * The company database's collation (default `ci`, SQL Server's default): whether `eq`, `ne` and
   * `contains` ignore case. `binary` is what a database moved from Pervasive gets.
   */
  collation?: Collation;
  /** IIS request filtering's maxQueryString: a longer query string is refused 404.15. Default 2048. */
  maxQueryString?: number;
  seed?: number;
  customers?: number;
  /** The first 2n generated customers share n addresses in pairs (the duplicate map's worst case). */
  sharedEmails?: number;
  orders?: number;
  items?: number;
  /** The simulator's business date (default: the current UTC day). */
  today?: string | Date;
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface Sage300Simulator {
  /** For example http://127.0.0.1:PORT/Sage300WebApi */
  baseUrl: string;
  company: string;
  username: string;
  password: string;
  port: number;
  data: Sage300Data;
  faults: { set(settings: Sage300FaultSettings): void; clear(): void };
  readonly requestCount: number;
  /** Rows returned per entity set (collection pages and reads by key), e.g. `rowsServed.ARCustomers`. */
  readonly rowsServed: Readonly<Record<string, number>>;
  /** Most requests seen in flight at once (politeness checks). */
  readonly maxInFlight: number;
  /** TCP connections accepted (keep-alive checks). */
  readonly connectionCount: number;
  stop(): Promise<void>;
}

const ERROR_CODES: Record<number, string> = {
  400: 'InvalidParameters',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'RecordNotFound',
  405: 'MethodNotAllowed',
  409: 'RecordDuplicate',
  423: 'SessionError',
  429: 'TooManyRequests',
  500: 'InternalServerError',
};

const FAULT_MESSAGES: Record<number, string> = {
  409: 'The record is locked by another session (Day End Processing may be running).',
  423: 'Too many sessions are open for this user; the session is locked.',
  429: 'The server is flooded with concurrent requests.',
  500: 'An unexpected error occurred on the server.',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

const SETS: Record<
  string,
  { module: string; entityType: string; key: string; sample: () => Record<string, unknown> }
> = {
  ARCustomers: {
    module: 'AR',
    entityType: 'ARCustomer',
    key: 'CustomerNumber',
    sample: () => makeCustomer(1, 20),
  },
  OEOrders: {
    module: 'OE',
    entityType: 'OEOrder',
    key: 'OrderUniquifier',
    sample: () => makeOrder(1, 0, { customers: 1, orders: 1, items: 1 }),
  },
  ICItems: { module: 'IC', entityType: 'ICItem', key: 'UnformattedItemNumber', sample: () => makeItem(1, 0) },
};

const PATH_RE = /^\/Sage300WebApi\/v1\.0\/([^/]+)\/([^/]+)\/([^/]+)\/([^/?]*)$/i;

interface Account {
  username: string;
  password: string;
  modules?: string[];
}

function encodeQuery(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
}

export async function startSage300Simulator(opts: Sage300SimulatorOptions = {}): Promise<Sage300Simulator> {
  const company = opts.company ?? 'SAMINC';
  const username = (opts.username ?? 'WEBAPI').toUpperCase();
  const password = opts.password ?? (opts.passwordMode === 'exact' ? 'Web-Api-2026!' : 'WEBAPI');
  const passwordMode = opts.passwordMode ?? 'legacy-uppercase';
  const pageSize = opts.pageSize ?? 100;
  const emitNextLink = opts.nextLink ?? true;
  const collation = opts.collation ?? 'ci';
  const maxQueryString = opts.maxQueryString ?? 2048;
  const seed = opts.seed ?? 42;
  const data = new Sage300Data(
    seed,
    {
      customers: opts.customers ?? 60,
      orders: opts.orders ?? 120,
      items: opts.items ?? 25,
      sharedEmails: opts.sharedEmails,
    },
    opts.today,
  );
  const faults = new FaultInjector(seed);
  const accounts: Account[] = [
    { username, password },
    ...(opts.users ?? []).map((u) => ({ ...u, username: u.username.toUpperCase() })),
  ];
  const infos = new Map<string, SetInfo>();
  for (const [set, s] of Object.entries(SETS)) {
    infos.set(set.toLowerCase(), {
      set,
      module: s.module,
      key: s.key,
      entityType: s.entityType,
      props: propTypesOf(s.sample()),
    });
  }

  const stats = { requests: 0, inFlight: 0, maxInFlight: 0, connections: 0 };
  const rowsServed: Record<string, number> = Object.fromEntries(Object.keys(SETS).map((set) => [set, 0]));
  const hung = new Set<http.ServerResponse>();
  let publicBase = '';

  function sendJson(
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    sendHttpJson(res, status, body, {
      'content-type': 'application/json; odata.metadata=minimal; charset=utf-8',
      'odata-version': '4.0',
      ...headers,
    });
  }

  function sendError(
    res: http.ServerResponse,
    status: number,
    message: string,
    opts2: { code?: string; headers?: Record<string, string>; contentType?: string } = {},
  ): void {
    const body = {
      error: {
        code: opts2.code ?? ERROR_CODES[status] ?? 'General',
        message: { lang: 'en-US', value: message },
      },
    };
    const headers = { ...(opts2.headers ?? {}) };
    if (opts2.contentType) headers['content-type'] = opts2.contentType;
    sendJson(res, status, body, headers);
  }

  function authenticate(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    companyInUrl: string,
    module: string,
  ): boolean {
    const challenge = { 'www-authenticate': 'Basic realm="Sage300WebApi"' };
    const header = req.headers.authorization;
    const m = header ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header) : null;
    if (!m) {
      sendError(res, 401, 'Authorization has been denied for this request.', { headers: challenge });
      return false;
    }
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? decoded : decoded.slice(0, colon);
    const pass = colon < 0 ? '' : decoded.slice(colon + 1);
    if (companyInUrl !== company) {
      sendError(
        res,
        401,
        `Unable to log on to company ${companyInUrl}: the company does not exist or the user has no access to it.`,
        {
          headers: challenge,
        },
      );
      return false;
    }
    // User IDs are stored upper-case and matched exactly: a lower-case ID is a different (unknown) user.
    const account = accounts.find((a) => a.username === user);
    const expected =
      account && (passwordMode === 'exact' ? account.password : account.password.toUpperCase());
    if (!account || pass !== expected) {
      sendError(res, 401, 'Invalid user ID or password.', { headers: challenge });
      return false;
    }
    if (account.username === 'ADMIN' && !opts.allowAdmin) {
      sendError(res, 403, 'ADMIN is not allowed to use the Web API (AllowWebApiAccessForAdmin is false).');
      return false;
    }
    if (account.modules && !account.modules.includes(module)) {
      sendError(res, 403, `User ${account.username} does not have the Sage 300 Web API right for ${module}.`);
      return false;
    }
    return true;
  }

  function serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const query = (req.url ?? '').split('?')[1] ?? '';
    if (query.length > maxQueryString) {
      // Request filtering answers before the Web API runs, with IIS's own HTML page.
      sendError(
        res,
        404,
        `HTTP Error 404.15 - Not Found: the request filtering module is configured to deny a request where the query string is too long (${query.length} > ${maxQueryString}).`,
        { code: 'ResourceNotFound', contentType: 'text/html' },
      );
      return;
    }
    const url = new URL(req.url ?? '/', publicBase);
    const m = PATH_RE.exec(url.pathname);
    if (!m) {
      sendError(res, 404, `No resource was found that matches the request URI '${url.pathname}'.`, {
        code: 'ResourceNotFound',
      });
      return;
    }
    const [, tenant, companyInUrl, moduleRaw, segment] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    const module = decodeURIComponent(moduleRaw);
    if (!authenticate(req, res, decodeURIComponent(companyInUrl), module)) return;
    if (tenant !== '-') {
      sendError(res, 404, `Unknown tenant '${tenant}'.`, { code: 'ResourceNotFound' });
      return;
    }
    const segmentText = decodeURIComponent(segment);
    const km = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(segmentText);
    const info = km ? infos.get(km[1]!.toLowerCase()) : undefined;
    if (!km || !info || info.module !== module.toUpperCase()) {
      sendError(res, 404, `No resource was found that matches the request URI '${url.pathname}'.`, {
        code: 'ResourceNotFound',
      });
      return;
    }
    if (req.method !== 'GET') {
      sendError(res, 405, `The requested resource does not support http method '${req.method}'.`);
      return;
    }
    const table = data.tables[info.set as keyof typeof data.tables];
    const context = `${publicBase}/Sage300WebApi/v1.0/-/${company}/${info.module}/$metadata#${info.set}`;
    try {
      if (km[2] !== undefined) {
        const q = parseQuery(url.searchParams, info, true);
        const key = parseKeySegment(km[2], info);
        const row = table.get(key);
        if (!row) {
          sendError(res, 404, 'A Record cannot be found for the specified entity key');
          return;
        }
        rowsServed[info.set] = (rowsServed[info.set] ?? 0) + 1;
        sendJson(res, 200, { '@odata.context': `${context}/$entity`, ...project(row, q.select) });
        return;
      }
      const q = parseQuery(url.searchParams, info);
      const result = runQuery(table, info, q, pageSize, collation);
      rowsServed[info.set] = (rowsServed[info.set] ?? 0) + result.rows.length;
      const body: Record<string, unknown> = {
        '@odata.context': q.select ? `${context}(${q.select.join(',')})` : context,
      };
      if (result.count !== undefined) body['@odata.count'] = result.count;
      body.value = result.rows.map((r) => project(r, q.select));
      const capped =
        result.rows.length === Math.min(pageSize, q.top ?? Number.POSITIVE_INFINITY) &&
        (q.top === undefined || q.top > result.rows.length);
      if (emitNextLink && result.more && capped) {
        const pairs = q.raw.filter(([k]) => k !== '$skip' && k !== '$top');
        if (q.top !== undefined) pairs.push(['$top', String(q.top - result.rows.length)]);
        pairs.push(['$skip', String(q.skip + result.rows.length)]);
        body['@odata.nextLink'] = `${publicBase}${url.pathname}?${encodeQuery(pairs)}`;
      }
      sendJson(res, 200, body);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      sendError(res, 400, err.message);
    }
  }

  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    stats.requests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    let finished = false;
    const done = () => {
      if (!finished) {
        finished = true;
        stats.inFlight--;
        hung.delete(res);
      }
    };
    res.on('close', done);
    res.on('finish', done);
    req.resume();
    const decision = faults.decide();
    if (decision.kind === 'hang') {
      hung.add(res);
      return;
    }
    if (decision.delayMs > 0) await new Promise((r) => setTimeout(r, decision.delayMs).unref());
    if (res.destroyed) return;
    if (decision.kind === 'error') {
      const status = decision.status;
      const headers: Record<string, string> = {};
      if (decision.retryAfterSeconds !== undefined && (status === 429 || status === 503)) {
        headers['retry-after'] = String(decision.retryAfterSeconds);
      }
      // IIS and proxies answer some failures as text/plain; the body is still Sage's JSON.
      sendError(res, status, FAULT_MESSAGES[status] ?? `HTTP ${status}`, {
        headers,
        contentType: status >= 500 ? 'text/plain; charset=utf-8' : undefined,
      });
      return;
    }
    serve(req, res);
  };

  const running = await startHttpServer({
    handler,
    host: opts.host,
    port: opts.port,
    tls: opts.tls,
    sendError: (res, p: HttpProblem) =>
      sendError(res, p.status, p.status >= 500 ? FAULT_MESSAGES[500]! : p.message, { headers: p.headers }),
  });
  running.server.on(opts.tls ? 'secureConnection' : 'connection', () => stats.connections++);
  const port = running.port;
  publicBase = running.origin;

  return {
    baseUrl: `${publicBase}/Sage300WebApi`,
    company,
    username,
    password,
    port,
    data,
    faults: { set: (s) => faults.set(s), clear: () => faults.clear() },
    get requestCount() {
      return stats.requests;
    },
    get rowsServed() {
      return { ...rowsServed };
    },
    get maxInFlight() {
      return stats.maxInFlight;
    },
    get connectionCount() {
      return stats.connections;
    },
    stop: () => {
      for (const res of hung) res.destroy();
      hung.clear();
      return running.close();
    },
  };
}
