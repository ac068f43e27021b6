import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeRun, runScaleOut, startScaleOutTemporal, type ScaleOutRun } from './harness.js';

// Production workers on a shared 2-core machine: generous bounds, never measured against.
jest.setTimeout(300_000);

const built = existsSync(join(process.cwd(), 'dist', 'src', 'cli', 'index.js'));
if (!built) console.warn('scale-out test skipped: dist/ is missing (run `npm run build` or `npm test`)');

const BUDGET = 4;
const SIZE = { budget: BUDGET, customers: 400, orders: 200, latencyMs: 40 };

/** Workers that wrote to Mailchimp: each logged a share above 0. */
function writers(r: ScaleOutRun): number {
  return r.sharesByWorker.filter((shares) => shares.some((s) => s > 0)).length;
}

function expectBothJobsDone(r: ScaleOutRun): void {
  expect(r.customers.status).not.toBe('failed');
  expect(r.orders.status).not.toBe('failed');
  expect(r.customers.counts.created + r.customers.counts.updated).toBe(r.expected.members);
  expect(r.orders.counts.created + r.orders.counts.updated).toBe(r.expected.orders);
  expect(r.orderCreations.size).toBe(r.expected.orders);
  expect([...r.orderCreations.values()].every((n) => n === 1)).toBe(true);
}

(built ? describe : describe.skip)(
  'one Mailchimp connection budget across the workers of a task queue',
  () => {
    let temporal: Awaited<ReturnType<typeof startScaleOutTemporal>>;
    beforeAll(async () => {
      temporal = await startScaleOutTemporal();
    });
    afterAll(async () => temporal?.stop());

    it('a single worker gets the whole budget', async () => {
      const r = await runScaleOut({ ...SIZE, address: temporal.address, workers: 1, mode: 'shared' });
      console.log(describeRun(r));
      expect(r.stats.rejected429).toBe(0);
      expect(r.sharesByWorker).toEqual([[BUDGET]]);
      expectBothJobsDone(r);
    });

    for (const workers of [2, 3]) {
      it(`${workers} workers running a customer and an order job never pass MAILCHIMP_MAX_CONNECTIONS together`, async () => {
        const r = await runScaleOut({ ...SIZE, address: temporal.address, workers, mode: 'shared' });
        console.log(describeRun(r));
        // The simulator answers 429 to any request past BUDGET open at once for the key: none means
        // the workers together never had more than BUDGET requests in flight.
        expect({ rejected429: r.stats.rejected429, withinBudget: r.stats.maxConcurrent <= BUDGET }).toEqual({
          rejected429: 0,
          withinBudget: true,
        });
        // The budget was shared: more than one process wrote, and they were told to split it.
        expect(writers(r)).toBeGreaterThanOrEqual(2);
        expect(r.sharesByWorker.flat().some((s) => s < BUDGET)).toBe(true);
        expectBothJobsDone(r);
      });
    }

    it('without it (MAILCHIMP_CONNECTION_BUDGET=per-process), the same two workers are answered 429', async () => {
      const r = await runScaleOut({ ...SIZE, address: temporal.address, workers: 2, mode: 'per-process' });
      console.log(describeRun(r));
      expect(r.stats.rejected429).toBeGreaterThan(0);
    });
  },
);
