import { describe, expect, it } from '@jest/globals';
import { benchReconcile } from '../../bench/reconcile.js';

// The benchmark at a tiny size, so it keeps working; the real number comes from running it at
// 100,000 orders (docs/benchmarks.md).
describe('benchReconcile', () => {
  it('fills a store through a backfill, then times one reconciliation that finds every day equal', async () => {
    const lines: string[] = [];
    const r = await benchReconcile({
      orders: 300,
      linesPerOrder: 3,
      days: 30,
      latencyMs: 5,
      maxConnections: 4,
      log: (l) => lines.push(l),
    });
    expect(r).toMatchObject({ sageOrders: 300, storeOrders: 300, differences: 0, rejected429: 0 });
    // A row per day and currency (USD every day, CAD on most).
    expect(r.days).toBeGreaterThan(30);
    expect(r.days).toBeLessThanOrEqual(60);
    // The store in one listing page (1,000 orders a page); nothing else asked of Mailchimp.
    expect(r.mailchimpRequests).toBe(1);
    expect(r.maxConcurrent).toBeLessThanOrEqual(4);
    expect(lines.some((l) => l.startsWith('reconciliation:'))).toBe(true);
  }, 120_000);
});
