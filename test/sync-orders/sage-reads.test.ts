import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOrderHarness, type OrderHarness } from './harness.js';

// A backfill reads its first Sage page while the job prepares, each next page while the last is
// written, and a page's customers several queries at once: none of that may read a row twice.
describe('order sync: what a backfill reads from Sage', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    h = await startOrderHarness({ customers: 40, orders: 90, items: 12, sagePageSize: 25 });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('reads every order row once and every customer its orders name once', async () => {
    const orders = h.sage.data.orders().filter((o) => o.OrderType !== 'Quote');
    const known = new Set(h.sage.data.customers().map((c) => String(c.CustomerNumber).trim()));
    const named = new Set(
      orders.map((o) => String(o.CustomerNumber ?? '').trim()).filter((n) => known.has(n)),
    );
    expect(orders.length).toBeGreaterThan(3 * 25); // several pages, the first one read ahead
    // The first job creates the store, which reads one order for its currency: measure the next one.
    await h.runJob({ full: true });
    const before = { ...h.sage.rowsServed };

    const result = await h.runJob({ full: true });

    expect(result.counts.read).toBe(orders.length);
    expect((h.sage.rowsServed.OEOrders ?? 0) - (before.OEOrders ?? 0)).toBe(orders.length);
    expect((h.sage.rowsServed.ARCustomers ?? 0) - (before.ARCustomers ?? 0)).toBe(named.size);
  });
});
