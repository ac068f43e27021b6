import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MailchimpApi } from './api.js';
import { ApiProblem, problemBody } from './problems.js';
import type { ApiResponse } from './router.js';
import { STATUS_TITLES, type FaultRule, type Faults, type SimSettings } from './settings.js';

export interface SimStats {
  requests: number;
  maxConcurrent: number;
  rejected429: number;
}

export interface ServerDeps {
  api: MailchimpApi;
  settings: SimSettings;
  faults: Faults;
  stats: SimStats;
  apiKey: string;
  oauthToken: string;
  dc: string;
  /** Extra routes outside /3.0 (OAuth metadata, batch archives); return false when not handled. */
  extra: (req: IncomingMessage, res: ServerResponse, url: URL, requestId: string) => Promise<boolean>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function sendJson(res: ServerResponse, r: ApiResponse, requestId: string, dc: string): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { 'X-Request-Id': requestId, ...r.headers };
  if (r.problem) {
    headers['Link'] =
      `<https://${dc}.api.mailchimp.com/schema/3.0/ProblemDetailDocument.json>; rel="describedBy"`;
  }
  if (r.status === 204 || r.body === undefined) {
    res.writeHead(r.status, headers).end();
    return;
  }
  headers['Content-Type'] = r.problem
    ? 'application/problem+json; charset=utf-8'
    : 'application/json; charset=utf-8';
  res.writeHead(r.status, headers).end(JSON.stringify(r.body));
}

function problem(status: number, title: string, detail: string, requestId: string): ApiResponse {
  return { status, body: problemBody(new ApiProblem(status, title, detail), requestId), problem: true };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
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

export function createSimServer(d: ServerDeps): Server {
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

  return createServer((req, res) => {
    const requestId = randomUUID();
    d.stats.requests++;
    void handle(req, res, requestId).catch((err: Error) => {
      sendJson(res, problem(500, 'Internal Server Error', err.message, requestId), requestId, d.dc);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (await d.extra(req, res, url, requestId)) return;
    if (url.pathname !== '/3.0' && !url.pathname.startsWith('/3.0/')) {
      sendJson(
        res,
        problem(404, 'Resource Not Found', 'The requested resource could not be found.', requestId),
        requestId,
        d.dc,
      );
      return;
    }
    const cred = credentialOf(req.headers.authorization, d);
    if (cred === 'wrong-dc') {
      const detail = 'The API key provided is linked to a different datacenter.';
      sendJson(res, problem(403, 'Wrong Datacenter', detail, requestId), requestId, d.dc);
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
      sendJson(res, r, requestId, d.dc);
      return;
    }
    const open = inFlight.get(cred) ?? 0;
    if (open >= d.settings.maxConnections) {
      d.stats.rejected429++;
      const detail = `You have exceeded the limit of ${d.settings.maxConnections} simultaneous connections.`;
      sendJson(res, problem(429, 'Too Many Requests', detail, requestId), requestId, d.dc);
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

    const rawBody = await readBody(req);
    const faults = d.faults.value;
    const jitter = d.settings.latencyJitterMs > 0 ? Math.random() * d.settings.latencyJitterMs : 0;
    const latency = (faults.latencyMs ?? d.settings.latencyMs) + jitter;
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
      sendJson(
        res,
        problem(
          status,
          title,
          'An unexpected internal error has occurred. Please try again later.',
          requestId,
        ),
        requestId,
        d.dc,
      );
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
      sendJson(res, ruleProblem(rule), requestId, d.dc);
      return;
    }
    const response = await d.api.dispatch({ method, path, query: url.searchParams, rawBody, requestId });
    sendJson(res, rule ? ruleProblem(rule) : response, requestId, d.dc);
  }
}
