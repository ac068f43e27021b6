import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startReconciliation } from '../../src/starter/reconcile.js';
import { startOrderHarness, type OrderHarness } from '../sync-orders/harness.js';

jest.setTimeout(180_000);

describe('store orders no Sage order of the period matched', () => {
  let h: OrderHarness;
  const uniquifiers: number[] = [];
  beforeAll(async () => {
    h = await startOrderHarness({ customers: 0, orders: 0, items: 3 });
    h.sage.data.addCustomer({
      CustomerNumber: 'U1',
      CustomerName: 'Unmatched',
      Email: 'buyer@unmatched-shop.com',
    });
    const item = String(h.sage.data.items()[0]!.UnformattedItemNumber);
    for (let n = 0; n < 40; n++) {
      const order = h.sage.data.enterOrder({
        CustomerNumber: 'U1',
        OrderDate: `2026-10-${String(1 + (n % 28)).padStart(2, '0')}`,
        lines: [{ item, quantity: 1, unitPrice: 10 + n }],
      });
      uniquifiers.push(order.OrderUniquifier as number);
    }
    await h.startWorker();
    expect(await h.runJob({ full: true })).toMatchObject({ counts: { created: 40, failed: 0 } });
  });
  afterAll(async () => h?.stop());

  it('are looked up in Sage by number, 25 a query: deleted ones are gone, a re-dated one is a day difference', async () => {
    const deleted = uniquifiers.slice(0, 30);
    for (const u of deleted) h.sage.data.deleteOrder(u);
    const redated = uniquifiers[35]!;
    h.sage.data.patch('OEOrders', redated, { OrderDate: '2026-12-15T00:00:00Z' });
    const requestsBefore = h.sage.requestCount;

    const handle = await startReconciliation(
      h.t.client,
      { company: h.company, trigger: 'manual', from: '2026-10-01', to: '2026-10-31' },
      { taskQueue: h.t.taskQueue },
    );
    const r = await handle.result();

    expect(r.counts).toMatchObject({
      gone: 30,
      different: 1,
      missing: 0,
      sageOrders: 9,
      mailchimpOrders: 40,
    });
    const gone = r.differences.filter((d) => d.kind === 'gone');
    expect(gone.map((d) => d.reason)).toEqual(Array(30).fill('not in Sage'));
    expect(r.differences.find((d) => d.kind === 'different')).toMatchObject({
      key: redated,
      fields: ['day'],
      sage: { day: '2026-12-15' },
    });
    // The period's pages, then the 31 unmatched numbers in two lookups (25 + 6), none refused.
    expect(h.sage.requestCount - requestsBefore).toBeLessThanOrEqual(6);
  });
});
