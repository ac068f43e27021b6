import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson, sendProblem, type HttpProblem } from '../../src/shared/http-server.js';
import type { MailchimpApi } from './api.js';
import { ApiProblem, problemBody } from './problems.js';
import type { ApiResponse } from './router.js';
import { STATUS_TITLES, type FaultRule, type Faults, type SimSettings } from './settings.js';

export interface SimStats {
  requests: number;
  maxConcurrent: number;
  rejected429: number;
  /**
   * The request log: method and path of every request, in arrival order (at least the newest
   * REQUEST_LOG_LIMIT), so a test can show what a client sent and when, e.g. which members a
   * resumed page wrote again.
   */
  log?: Array<RequestLogEntry>;
  /** Members carried by bulk calls so far, and the latency they were charged for them (bulkPerMemberMs each). */
  bulkMembers: number;
  bulkCostMs: number;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** Latency the request was charged while holding its connection: fixed (+ jitter) plus its bulk members'. */
  costMs?: number;
}

const REQUEST_LOG_LIMIT = 200_000;

export interface ServerDeps {
  api: MailchimpApi;
  settings: SimSettings;
  faults: Faults;
  stats: SimStats;
  apiKey: string;
  oauthToken: string;
  dc: string;
  /** Extra routes outside /3.0 (OAuth metadata, batch archives); return false when not handled. */
  extra: (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Far above any request the connector makes; the cap only keeps a runaway client from exhausting memory. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

const INTERNAL_ERROR_DETAIL = 'An unexpected internal error has occurred. Please try again later.';

function answer(res: ServerResponse, r: ApiResponse, dc: string): void {
  if (!r.problem) return sendJson(res, r.status, r.body, r.headers);
  sendProblem(res, r.status, r.body, {
    ...r.headers,
    Link: `<https://${dc}.api.mailchimp.com/schema/3.0/ProblemDetailDocument.json>; rel="describedBy"`,
  });
}

function problem(status: number, title: string, detail: string, requestId: string): ApiResponse {
  return { status, body: problemBody(new ApiProblem(status, title, detail), requestId), problem: true };
}

/** An error the request ended with (a body over the cap, a client gone mid-body, a bug), as Mailchimp words it. */
export function sendSimError(res: ServerResponse, p: HttpProblem, dc: string): void {
  const requestId = String(res.getHeader('x-request-id') ?? '');
  const detail = p.status >= 500 ? INTERNAL_ERROR_DETAIL : p.message;
  const title = STATUS_TITLES[p.status] ?? 'Bad Request';
  answer(res, { ...problem(p.status, title, detail, requestId), headers: p.headers }, dc);
}

/** Which credential a request carries: 'missing', 'invalid', or a key naming the credential for the limiter. */
function credentialOf(header: string | undefined, d: ServerDeps): string {
  if (!header) return 'missing';
  const [scheme = '', ...rest] = header.trim().split(/\s+/);
  const value = rest.join(' ');
  if (/^basic$/i.test(scheme)) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const key = colon >= 0 ? decoded.slice(colon + 1) : decoded;
    if (!key) return 'missing';
    if (key === d.apiKey) return 'key';
    // Right account, wrong data-center suffix: Mailchimp answers 403 rather than 401.
    const stem = (k: string) => k.replace(/-[a-z]+\d+$/, '');
    return key.includes('-') && stem(key) === stem(d.apiKey) ? 'wrong-dc' : 'invalid';
  }
  if (/^(bearer|oauth)$/i.test(scheme)) return value === d.oauthToken ? 'oauth' : 'invalid';
  return 'invalid';
}

/** The simulator's request handler, for `startHttpServer`. */
export function createSimHandler(
  d: ServerDeps,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const inFlight = new Map<string, number>();
  let concurrent = 0;
  const ruleMatches = new WeakMap<FaultRule, number>();
  const firingRule = (method: string, path: string): FaultRule | undefined => {
    for (const rule of d.faults.value.rules ?? []) {
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (typeof rule.path === 'string' ? rule.path !== path : !rule.path.test(path)) continue;
      const n = (ruleMatches.get(rule) ?? 0) + 1;
      ruleMatches.set(rule, n);
      const skip = rule.skip ?? 0;
      if (n > skip && (rule.times === undefined || n - skip <= rule.times)) return rule;
    }
    return undefined;
  };

  return (req, res) => {
    const requestId = randomUUID();
    res.setHeader('X-Request-Id', requestId);
    d.stats.requests++;
    const log = (d.stats.log ??= []);
    const entry: RequestLogEntry = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]! };
    log.push(entry);
    // Dropped in halves, so a long benchmark pays nothing per request for the cap.
    if (log.length >= 2 * REQUEST_LOG_LIMIT) log.splice(0, REQUEST_LOG_LIMIT);
    return handle(req, res, requestId, entry);
  };

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    entry: RequestLogEntry,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (await d.extra(req, res, url)) return;
    if (url.pathname !== '/3.0' && !url.pathname.startsWith('/3.0/')) {
      const detail = 'The requested resource could not be found.';
      answer(res, problem(404, 'Resource Not Found', detail, requestId), d.dc);
      return;
    }
    const cred = credentialOf(req.headers.authorization, d);
    if (cred === 'wrong-dc') {
      const detail = 'The API key provided is linked to a different datacenter.';
      answer(res, problem(403, 'Wrong Datacenter', detail, requestId), d.dc);
      return;
    }
    if (cred === 'missing' || cred === 'invalid') {
      const r =
        cred === 'missing'
          ? problem(401, 'API Key Missing', 'Your request did not include an API key.', requestId)
          : problem(
              401,
              'API Key Invalid',
              "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
              requestId,
            );
      answer(res, r, d.dc);
      return;
    }
    const open = inFlight.get(cred) ?? 0;
    if (open >= d.settings.maxConnections) {
      d.stats.rejected429++;
      const detail = `You have exceeded the limit of ${d.settings.maxConnections} simultaneous connections.`;
      answer(res, problem(429, 'Too Many Requests', detail, requestId), d.dc);
      return;
    }
    inFlight.set(cred, open + 1);
    concurrent++;
    d.stats.maxConcurrent = Math.max(d.stats.maxConcurrent, concurrent);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      concurrent--;
      inFlight.set(cred, (inFlight.get(cred) ?? 1) - 1);
    };
    res.on('close', release);
    res.on('finish', release);

    const rawBody = (await readBody(req, MAX_BODY_BYTES)).toString('utf8');
    const faults = d.faults.value;
    const jitter = d.settings.latencyJitterMs > 0 ? Math.random() * d.settings.latencyJitterMs : 0;
    const latency = (faults.latencyMs ?? d.settings.latencyMs) + jitter;
    entry.costMs = latency;
    if (latency > 0) await sleep(latency);
    if (faults.hangRate && Math.random() < faults.hangRate) {
      // No answer; the request keeps its connection slot until the client gives up or the cut-off.
      setTimeout(() => res.destroy(), faults.hangMs ?? 120_000).unref();
      return;
    }
    if (faults.errorRate && Math.random() < faults.errorRate) {
      const statuses = faults.errorStatuses?.length ? faults.errorStatuses : [500];
      const status = statuses[Math.floor(Math.random() * statuses.length)] ?? 500;
      const title = STATUS_TITLES[status] ?? 'Internal Server Error';
      answer(res, problem(status, title, INTERNAL_ERROR_DETAIL, requestId), d.dc);
      return;
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const path = url.pathname.slice('/3.0'.length) || '/';
    const rule = firingRule(method, path);
    const ruleProblem = (r: FaultRule) =>
      problem(
        r.status,
        r.title ?? STATUS_TITLES[r.status] ?? 'Bad Request',
        r.detail ?? 'An unexpected error has occurred.',
        requestId,
      );
    if (rule && !rule.afterApply) {
      answer(res, ruleProblem(rule), d.dc);
      return;
    }
    const response = await d.api.dispatch({ method, path, query: url.searchParams, rawBody, requestId });
    // The bulk work is part of the request's latency: the answer (and the free slot) come after it.
    const bulkMs = (response.bulkMembers ?? 0) * d.settings.bulkPerMemberMs;
    if (response.bulkMembers) {
      d.stats.bulkMembers += response.bulkMembers;
      d.stats.bulkCostMs += bulkMs;
      entry.costMs = latency + bulkMs;
    }
    if (bulkMs > 0) await sleep(bulkMs);
    answer(res, rule ? ruleProblem(rule) : response, d.dc);
  }
}
