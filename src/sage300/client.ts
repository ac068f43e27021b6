import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';
import type { z } from 'zod';
import { ConfigError, type Sage300Config } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import type { Limiter } from '../shared/concurrency.js';
import { withRetries, type RetryPolicy } from '../shared/http-retry.js';
import { SAGE_ENTITIES, type RecordOf, type SageEntityName } from './entities.js';
import {
  Sage300Error,
  Sage300MalformedRecordError,
  Sage300NotFoundError,
  Sage300RetryableError,
  classifyHttpFailure,
  classifyNetworkFailure,
} from './errors.js';
import { limiterForLogin } from './limiter.js';
import { F, buildQueryString, odataLiteral, type Filter, type ODataQuery } from './odata.js';
import { describeIssues, type InvalidRow } from './schemas.js';

export interface Sage300ClientOptions {
  /** Web API root, for example https://erp01/Sage300WebApi. */
  baseUrl: string;
  company: string;
  username: string;
  password: string;
  /** Send the password as typed (2022.2+ complex passwords); default: upper-case it. */
  preservePasswordCase?: boolean;
  /** Rows asked per page ($top); the server may cap lower. Default 1000. */
  pageSize?: number;
  /** PEM file of a private CA that signed the IIS certificate. */
  caFile?: string;
  /** PEM text of a private CA (tests; caFile is the configured way). */
  ca?: string | Buffer;
  /** Per-request timeout; IIS cold starts are slow. Default 60 s. */
  timeoutMs?: number;
  /** Requests in flight per Sage login. Default 2. */
  maxConcurrency?: number;
  /** Tries of one retryable request inside the client (Temporal retries whole activities). Default SAGE300_RETRY. */
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
}

export interface PageResult<E extends SageEntityName> {
  records: RecordOf<E>[];
  /** Rows that failed the schema, in page order: one bad row never hides the others. */
  invalid: InvalidRow[];
  /** Key of the page's last row with a readable key, valid or not (where a keyset page ends). */
  lastRowKey?: string | number;
  nextLink?: string;
  count?: number;
}

export interface KeysetPageResult<E extends SageEntityName> {
  records: RecordOf<E>[];
  invalid: InvalidRow[];
  /** Key of the last row read, valid or not: the next page starts after it. */
  lastKey?: string | number;
  done: boolean;
}

export interface PagesOptions {
  filter?: Filter | string;
  select?: string[];
  top?: number;
  /** keyset (default): `Key gt last` ordered by key, safe under concurrent inserts. nextLink: $skip paging. */
  paging?: 'keyset' | 'nextLink';
}

/**
 * 3 tries, waits of 0.5-1 s then 1-2 s, or the Retry-After Sage sent (at most 30 s). Few tries: each
 * may wait out a 60 s timeout on a hung IIS, and Temporal retries the page after that (docs/retries.md).
 */
export const SAGE300_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };

export class Sage300Client {
  readonly pageSize: number;
  private readonly root: string;
  private readonly baseUrl: string;
  private readonly http: Got;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly limiter: Limiter;
  private readonly retry: RetryPolicy;
  private readonly logger?: Logger;
  /** Built once and kept private: never logged, never put in an error. */
  readonly #authorization: string;
  /** Once the server has sent a nextLink, a short page without one is known to be the last. */
  private sawNextLink = false;
  /** Page sizes the server was seen to cap at silently (no nextLink), per entity. */
  private readonly observedCap = new Map<SageEntityName, number>();

  constructor(options: Sage300ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.root = `${this.baseUrl}/v1.0/-/${encodeURIComponent(options.company)}`;
    this.pageSize = options.pageSize ?? 1000;
    this.retry = { ...SAGE300_RETRY, ...options.retry };
    this.logger = options.logger;
    const user = options.username.trim().toUpperCase();
    const password = options.preservePasswordCase ? options.password : options.password.toUpperCase();
    this.#authorization = `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
    const maxConcurrency = options.maxConcurrency ?? 2;
    this.limiter = limiterForLogin(
      `${this.baseUrl.toLowerCase()}|${options.company}|${user}`,
      maxConcurrency,
    );
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: maxConcurrency }),
      https: new https.Agent({ keepAlive: true, maxSockets: maxConcurrency }),
    };
    const ca = options.ca ?? (options.caFile ? readFileSync(options.caFile) : undefined);
    this.http = got.extend({
      agent: this.agents,
      https: ca ? { certificateAuthority: ca } : {},
      timeout: { request: options.timeoutMs ?? 60_000 },
      retry: { limit: 0 },
      throwHttpErrors: false,
      responseType: 'text',
      followRedirect: false,
      headers: { accept: 'application/json', 'content-type': 'application/json' },
    });
  }

  static fromConfig(config: Sage300Config, logger?: Logger): Sage300Client {
    const missing = [
      !config.baseUrl && 'SAGE300_BASE_URL',
      !config.company && 'SAGE300_COMPANY',
      !config.username && 'SAGE300_USERNAME',
    ].filter((m): m is string => Boolean(m));
    if (missing.length > 0) throw new ConfigError(missing.map((m) => `${m}: required to read Sage 300`));
    return new Sage300Client({
      baseUrl: config.baseUrl!,
      company: config.company!,
      username: config.username!,
      password: config.password ?? '',
      preservePasswordCase: config.preservePasswordCase,
      pageSize: config.pageSize,
      caFile: config.caFile,
      timeoutMs: config.timeoutMs,
      maxConcurrency: config.maxConcurrency,
      logger,
    });
  }

  async getPage<E extends SageEntityName>(entity: E, query: ODataQuery): Promise<PageResult<E>> {
    const qs = buildQueryString(query);
    const url = `${this.setUrl(entity)}${qs ? `?${qs}` : ''}`;
    return this.parseCollection(entity, await this.send(url, entity), query.select);
  }

  /** Follows an `@odata.nextLink`, always against the configured base URL (credentials never go elsewhere). */
  async followNextLink<E extends SageEntityName>(entity: E, nextLink: string): Promise<PageResult<E>> {
    const select = new URL(nextLink, `${this.baseUrl}/`).searchParams.get('$select')?.split(',');
    return this.parseCollection(entity, await this.send(this.rebase(nextLink), entity), select);
  }

  async keysetPage<E extends SageEntityName>(
    entity: E,
    opts: { after?: string | number; filter?: Filter | string; select?: string[]; top?: number },
  ): Promise<KeysetPageResult<E>> {
    const key = SAGE_ENTITIES[entity].key;
    const top = opts.top ?? this.pageSize;
    const select = opts.select && !opts.select.includes(key) ? [key, ...opts.select] : opts.select;
    const page = await this.getPage(entity, {
      filter: this.afterFilter(key, opts.after, opts.filter),
      select,
      orderby: [key],
      top,
    });
    const { records, invalid } = page;
    const rows = records.length + invalid.length;
    const lastKey = page.lastRowKey ?? opts.after;
    if (page.lastRowKey !== undefined && opts.after !== undefined && !(page.lastRowKey > opts.after)) {
      // A server ignoring the key filter would otherwise make the caller loop forever on one page.
      throw new Sage300Error(
        `Sage 300 ignored the keyset filter on ${SAGE_ENTITIES[entity].set} (${key} did not advance past ${JSON.stringify(opts.after)})`,
        { code: 'InvalidResponse', retryable: false },
      );
    }
    if (page.nextLink) {
      this.sawNextLink = true;
      return { records, invalid, lastKey, done: false };
    }
    if (rows === 0) return { records, invalid, lastKey, done: true };
    if (rows >= top) return { records, invalid, lastKey, done: false };
    if (this.sawNextLink) return { records, invalid, lastKey, done: true };
    const cap = this.observedCap.get(entity);
    if (cap !== undefined && rows >= cap) return { records, invalid, lastKey, done: false };
    // A short page without nextLink: either the end, or a server capping $top silently. One key tells which.
    const probe = await this.getPage(entity, {
      filter: this.afterFilter(key, lastKey, opts.filter),
      select: [key],
      orderby: [key],
      top: 1,
    });
    if (probe.records.length + probe.invalid.length === 0) return { records, invalid, lastKey, done: true };
    this.observedCap.set(entity, Math.max(cap ?? 0, rows));
    return { records, invalid, lastKey, done: false };
  }

  /**
   * Streams pages of valid records; nothing is kept between pages, so memory does not grow with the
   * number of records. Rows that fail the schema are left out (the sync's page activities, which
   * read with keysetPage, record them).
   */
  async *pages<E extends SageEntityName>(entity: E, opts: PagesOptions = {}): AsyncIterable<RecordOf<E>[]> {
    if ((opts.paging ?? 'keyset') === 'keyset') {
      let pending = this.keysetPage(entity, { ...opts, after: undefined });
      for (;;) {
        const page = await pending;
        // The next key is known now: fetch the next page while the caller works on this one (at most two in memory).
        if (!page.done) {
          pending = this.keysetPage(entity, { ...opts, after: page.lastKey });
          pending.catch(() => undefined); // surfaced by the await above; avoids an unhandled rejection if the caller stops early
        }
        if (page.records.length > 0) yield page.records;
        if (page.done) return;
      }
    }
    const key = SAGE_ENTITIES[entity].key;
    const top = opts.top ?? this.pageSize;
    const base: ODataQuery = { filter: opts.filter, select: opts.select, orderby: [key], top };
    let page = await this.getPage(entity, base);
    let received = 0;
    let largest = 0;
    for (;;) {
      if (page.records.length > 0) yield page.records;
      const rows = page.records.length + page.invalid.length;
      received += rows;
      largest = Math.max(largest, rows);
      if (page.nextLink) page = await this.followNextLink(entity, page.nextLink);
      // No nextLink: keep going while full pages arrive (the server may cap $top without saying so).
      else if (rows > 0 && rows >= largest) page = await this.getPage(entity, { ...base, skip: received });
      else return;
    }
  }

  /** The record, undefined when Sage has none, or Sage300MalformedRecordError when it fails the schema. */
  async getByKey<E extends SageEntityName>(
    entity: E,
    key: string | number,
  ): Promise<RecordOf<E> | undefined> {
    const url = `${this.setUrl(entity)}(${encodeURIComponent(odataLiteral(key))})`;
    let body: unknown;
    try {
      body = await this.send(url, entity);
    } catch (err) {
      if (err instanceof Sage300NotFoundError && err.code !== 'ResourceNotFound') return undefined;
      throw err;
    }
    const row = this.parseRow(entity, body);
    if ('invalid' in row) {
      const { set } = SAGE_ENTITIES[entity];
      throw new Sage300MalformedRecordError(
        `Sage 300 ${set} record ${row.invalid.key} is malformed: ${row.invalid.field}: ${row.invalid.problem}`,
        row.invalid,
      );
    }
    return row.record;
  }

  async count(entity: SageEntityName, filter?: Filter | string): Promise<number> {
    const page = await this.getPage(entity, {
      filter,
      select: [SAGE_ENTITIES[entity].key],
      top: 1,
      count: true,
    });
    if (page.count === undefined) {
      throw new Sage300Error('Sage 300 did not return @odata.count for $count=true', {
        code: 'InvalidResponse',
        retryable: false,
      });
    }
    return page.count;
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private setUrl(entity: SageEntityName): string {
    const e = SAGE_ENTITIES[entity];
    return `${this.root}/${e.module}/${e.set}`;
  }

  private afterFilter(
    key: string,
    after: string | number | undefined,
    filter?: Filter | string,
  ): Filter | undefined {
    return after === undefined ? (filter ? F.and(filter) : undefined) : F.and(F.gt(key, after), filter);
  }

  private rebase(nextLink: string): string {
    let parsed: URL;
    try {
      parsed = new URL(nextLink, `${this.baseUrl}/`);
    } catch {
      throw new Sage300Error(`Sage 300 sent an unusable @odata.nextLink`, {
        code: 'InvalidResponse',
        retryable: false,
      });
    }
    // Sage may name itself differently (host name vs IP, http behind a TLS proxy): keep only the API part.
    const at = parsed.pathname.toLowerCase().indexOf('/v1.0/');
    if (at < 0) {
      throw new Sage300Error(`Sage 300 sent an @odata.nextLink outside the Web API`, {
        code: 'InvalidResponse',
        retryable: false,
      });
    }
    return `${this.baseUrl}${parsed.pathname.slice(at)}${parsed.search}`;
  }

  private describe(url: string): string {
    const path = url.startsWith(this.baseUrl) ? url.slice(this.baseUrl.length) : url;
    try {
      return `GET ${decodeURIComponent(path)}`;
    } catch {
      return `GET ${path}`;
    }
  }

  /** The session slot is held for one try only, so a request waiting to retry does not block others. */
  private send(url: string, entity: SageEntityName): Promise<unknown> {
    return withRetries(() => this.limiter.run(() => this.sendOnce(url, entity)), {
      policy: this.retry,
      retryable: (err) =>
        err instanceof Sage300Error &&
        err.retryable && {
          retryAfterMs:
            err instanceof Sage300RetryableError && err.retryAfterSeconds
              ? err.retryAfterSeconds * 1000
              : undefined,
        },
      onRetry: ({ err, attempt, delayMs }) => {
        const e = err as Sage300Error;
        this.logger?.warn(
          { entity, attempt, status: e.status, code: e.code, delayMs },
          'Sage 300 request failed with a retryable error; retrying',
        );
      },
    });
  }

  private async sendOnce(url: string, entity: SageEntityName): Promise<unknown> {
    const started = Date.now();
    let response;
    try {
      response = await this.http.get(url, { headers: { authorization: this.#authorization } });
    } catch (err) {
      throw classifyNetworkFailure(
        err as { code?: string; message?: string; name?: string },
        this.describe(url),
      );
    }
    const status = response.statusCode;
    this.logger?.debug({ entity, status, ms: Date.now() - started }, 'Sage 300 GET');
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(response.body) as unknown;
      } catch {
        // A body cut short by a reset proxy; the next attempt usually gets it whole.
        throw new Sage300RetryableError(`Sage 300 sent a body that is not JSON for ${this.describe(url)}`, {
          status,
          code: 'InvalidResponse',
        });
      }
    }
    const retryAfter = response.headers['retry-after'];
    throw classifyHttpFailure({
      status,
      body: response.body,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      request: this.describe(url),
      module: SAGE_ENTITIES[entity].module,
    });
  }

  /**
   * Validates one row. Fields the schema does not know are dropped, except those the caller named
   * in `$select` (a configurable header field, say), which are kept as sent, strings trimmed.
   */
  private parseRow<E extends SageEntityName>(
    entity: E,
    raw: unknown,
    select?: string[],
  ): { record: RecordOf<E> } | { invalid: InvalidRow } {
    const schema = SAGE_ENTITIES[entity].schema;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const key = this.rawKey(entity, raw);
      return {
        invalid: {
          key: key === undefined ? `(no ${SAGE_ENTITIES[entity].key})` : String(key),
          ...describeIssues(parsed.error.issues),
        },
      };
    }
    const extras = select?.filter((f) => !(f in schema.shape));
    if (extras && extras.length > 0) {
      const source = raw as Record<string, unknown>;
      const out = parsed.data as Record<string, unknown>;
      for (const f of extras) {
        const v = source[f];
        if (v !== undefined) out[f] = typeof v === 'string' ? v.trim() : v;
      }
    }
    return { record: parsed.data as RecordOf<E> };
  }

  /** A row's key read on its own with the key field's schema, so a row bad elsewhere is still named. */
  private rawKey(entity: SageEntityName, raw: unknown): string | number | undefined {
    if (!raw || typeof raw !== 'object') return undefined;
    const { key, schema } = SAGE_ENTITIES[entity];
    const field = (schema.shape as Record<string, z.ZodType>)[key]!;
    const parsed = field.safeParse((raw as Record<string, unknown>)[key]);
    return parsed.success &&
      (typeof parsed.data === 'number' || (typeof parsed.data === 'string' && parsed.data))
      ? parsed.data
      : undefined;
  }

  private parseCollection<E extends SageEntityName>(
    entity: E,
    body: unknown,
    select?: string[],
  ): PageResult<E> {
    const envelope = body as {
      value?: unknown;
      '@odata.nextLink'?: unknown;
      '@odata.count'?: unknown;
    } | null;
    if (!envelope || typeof envelope !== 'object' || !Array.isArray(envelope.value)) {
      throw new Sage300Error(`Sage 300 answered without a "value" array for ${SAGE_ENTITIES[entity].set}`, {
        code: 'InvalidResponse',
        retryable: false,
      });
    }
    const records: RecordOf<E>[] = [];
    const invalid: InvalidRow[] = [];
    for (const raw of envelope.value) {
      const row = this.parseRow(entity, raw, select);
      if ('record' in row) records.push(row.record);
      else invalid.push(row.invalid);
    }
    let lastRowKey: string | number | undefined;
    for (let i = envelope.value.length - 1; i >= 0 && lastRowKey === undefined; i--) {
      lastRowKey = this.rawKey(entity, envelope.value[i]);
    }
    const next = envelope['@odata.nextLink'];
    const rawCount = envelope['@odata.count'];
    // v4 sends a number; the v3 leftovers in Sage's docs show a string, so accept both.
    const count =
      typeof rawCount === 'number'
        ? rawCount
        : typeof rawCount === 'string' && rawCount !== ''
          ? Number(rawCount)
          : undefined;
    return {
      records,
      invalid,
      ...(lastRowKey !== undefined ? { lastRowKey } : {}),
      ...(typeof next === 'string' && next ? { nextLink: next } : {}),
      ...(count !== undefined && Number.isFinite(count) ? { count } : {}),
    };
  }
}
