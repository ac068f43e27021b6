import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  Sage300Error,
  Sage300NotFoundError,
  Sage300QueryError,
  Sage300RetryableError,
} from '../../src/sage300/errors.js';
import { F } from '../../src/sage300/odata.js';
import { memoryLogger } from '../helpers/logger.js';
import { startPair } from './helpers.js';

async function failure(p: Promise<unknown>): Promise<Sage300Error> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(Sage300Error);
    return err as Sage300Error;
  }
  throw new Error('expected a Sage300Error');
}

describe('Sage 300 error classification (fault injection over real HTTP)', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    pair = await startPair({ customers: 20 });
  });
  afterEach(() => pair.sim.faults.clear());
  afterAll(() => pair.stop());

  for (const status of [409, 423, 429, 500, 503]) {
    it(`treats ${status} as retryable and gives up after 2 retries`, async () => {
      pair.sim.faults.set({ errorRate: 1, errorStatuses: [status] });
      const before = pair.sim.requestCount;
      const err = await failure(pair.client.getPage('customers', { top: 1 }));
      expect(err).toBeInstanceOf(Sage300RetryableError);
      expect(err.retryable).toBe(true);
      expect(err.status).toBe(status);
      expect(pair.sim.requestCount - before).toBe(3);
    });
  }

  it('parses the error JSON even when it arrives as text/plain', async () => {
    pair.sim.faults.set({ errorRate: 1, errorStatuses: [500] });
    const err = await failure(pair.client.getPage('customers', { top: 1 }));
    expect(err.code).toBe('InternalServerError');
    expect(err.message).toMatch(/An unexpected error occurred on the server/);
  });

  it('recovers when a retry succeeds', async () => {
    pair.sim.faults.set({ failNext: 2, errorStatuses: [429, 409] });
    const page = await pair.client.getPage('customers', { top: 3 });
    expect(page.records).toHaveLength(3);
  });

  it("waits as long as Sage's Retry-After asks before the next try, up to the policy's ceiling", async () => {
    const { logger, lines } = memoryLogger('warn');
    const retries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    pair.sim.faults.set({ failNext: 1, errorStatuses: [429], retryAfterSeconds: 1 });
    expect((await pair.clientFor({ logger }).getPage('customers', { top: 1 })).records).toHaveLength(1);
    expect(retries()).toEqual([expect.objectContaining({ status: 429, attempt: 1, delayMs: 1000 })]);
    lines.length = 0;
    pair.sim.faults.set({ failNext: 1, errorStatuses: [503], retryAfterSeconds: 3600 });
    const capped = pair.clientFor({ logger, retry: { baseDelayMs: 5, maxDelayMs: 50 } });
    expect((await capped.getPage('customers', { top: 1 })).records).toHaveLength(1);
    expect(retries()).toEqual([expect.objectContaining({ status: 503, attempt: 1, delayMs: 50 })]);
  });

  it('turns a hung request into a retryable timeout', async () => {
    const c = pair.clientFor({ timeoutMs: 300, retry: { maxAttempts: 1 } });
    pair.sim.faults.set({ hangRate: 1 });
    const err = await failure(c.getPage('customers', { top: 1 }));
    expect(err).toBeInstanceOf(Sage300RetryableError);
    expect(err.code).toBe('ETIMEDOUT');
    expect(err.message).toMatch(/did not answer in time/);
  });

  it('waits out a slow cold start within the timeout', async () => {
    const c = pair.clientFor({ timeoutMs: 3_000 });
    pair.sim.faults.set({ coldStartMs: 400 });
    const started = Date.now();
    expect((await c.getPage('customers', { top: 1 })).records).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
  });

  it('reports a 400 as our query bug, with the query, and does not retry', async () => {
    const before = pair.sim.requestCount;
    const err = await failure(pair.client.getPage('customers', { filter: F.eq('NoSuchField', 'x') }));
    expect(err).toBeInstanceOf(Sage300QueryError);
    expect(err.retryable).toBe(false);
    expect(err.status).toBe(400);
    expect(err.code).toBe('InvalidParameters');
    expect((err as Sage300QueryError).query).toContain("$filter=NoSuchField eq 'x'");
    expect(err.message).toMatch(/Could not find a property named 'NoSuchField'/);
    expect(err.message).toContain("NoSuchField eq 'x'");
    expect(pair.sim.requestCount - before).toBe(1);
  });

  it('rejects v3 datetime literals and malformed filters as query errors', async () => {
    const v3 = await failure(
      pair.client.getPage('customers', { filter: F.raw("DateLastMaintained gt datetime'2025-01-01T00:00'") }),
    );
    expect(v3).toBeInstanceOf(Sage300QueryError);
    const page = pair.client.getPage('customers', { filter: 'CustomerNumber gt' });
    expect(await failure(page)).toBeInstanceOf(Sage300QueryError);
  });

  it('classifies 404 as not found (getByKey returns undefined; an unknown key is not an error)', async () => {
    expect(await pair.client.getByKey('customers', 'NOPE99')).toBeUndefined();
    pair.sim.faults.set({ failNext: 1, errorStatuses: [404] });
    const err = await failure(pair.client.getPage('customers', { top: 1 }));
    expect(err).toBeInstanceOf(Sage300NotFoundError);
    expect(err.retryable).toBe(false);
  });

  it('treats a refused connection as retryable', async () => {
    const c = pair.clientFor({ baseUrl: 'http://127.0.0.1:9/Sage300WebApi', retry: { maxAttempts: 1 } });
    const err = await failure(c.getPage('customers', { top: 1 }));
    expect(err).toBeInstanceOf(Sage300RetryableError);
    expect(err.code).toBe('ECONNREFUSED');
  });
});

describe('politeness', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    pair = await startPair({ customers: 20 });
  });
  afterAll(() => pair.stop());

  it('keeps at most 2 requests in flight per login, across clients, and reuses connections', async () => {
    pair.sim.faults.set({ latencyMs: 40 });
    const a = pair.clientFor({});
    const b = pair.clientFor({ username: pair.sim.username.toLowerCase() });
    await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).getPage('customers', { top: 1 })));
    expect(pair.sim.maxInFlight).toBeLessThanOrEqual(2);
    expect(pair.sim.maxInFlight).toBe(2);
    const connections = pair.sim.connectionCount;
    for (let i = 0; i < 5; i++) await a.getPage('customers', { top: 1 });
    expect(pair.sim.connectionCount).toBe(connections);
  });
});
