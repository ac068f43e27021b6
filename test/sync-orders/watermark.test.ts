import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { addDays } from '../../src/domain/orders/plan.js';
import { loadWatermark } from '../../src/activities/sync-state.js';
import { expectedOrders } from './expected.js';
import { readStoreOrders, startOrderHarness, type OrderHarness } from './harness.js';

describe('order watermark: completions are polled from the day the job read Sage', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    // A one-day lookback: an open order of October 2026 is only re-read once it is completed.
    h = await startOrderHarness({
      customers: 10,
      orders: 20,
      items: 4,
      vars: { SYNC_ORDER_LOOKBACK_DAYS: '1' },
    });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('an old order completed after the read (dated the day before the commit) is still picked up', async () => {
    const handle = await h.startJob({ full: true });
    expect((await handle.result()).status).toMatch(/^completed/);
    const startDay = (await handle.describe()).startTime.toISOString().slice(0, 10);

    const expected = expectedOrders(h.sage.data.orders(), h.sage.data.customers());
    const open = h.sage.data
      .orders()
      .find(
        (o) =>
          o.OrderCompleted === 'IncompleteNotIncluded' &&
          !o.OnHold &&
          String(o.OrderDate) < '2026-11-01' &&
          expected.has(String(o.OrderNumber).trim()),
      )!;
    expect(open).toBeDefined();
    // Completed while the job ran (the day it read Sage, before the commit's day in another time
    // zone or after midnight): completion date = the day before today.
    const u = open.OrderUniquifier as number;
    h.sage.data.completeOrder(u);
    h.sage.data.patch('OEOrders', u, { OrderCompletionDate: `${addDays(startDay, -1)}T00:00:00Z` });

    const result = await h.runJob({});
    expect(result.status).toBe('completed');
    expect(result.counts.updated).toBe(1);
    const mine = (await readStoreOrders(h)).filter((o) => o.id === String(open.OrderNumber).trim());
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ financial_status: 'paid', fulfillment_status: 'shipped' });
    // The watermark holds the read day (job start minus one), not the commit time.
    const wm = await loadWatermark(h.t.client, 'orders', h.company);
    expect(wm?.readDay).toBe(addDays(startDay, -1));
  });
});
