import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { classifyOrders } from './expected.js';
import {
  createdOnce,
  orderCreations,
  readStoreOrders,
  startOrderHarness,
  STORE_ID,
  type OrderHarness,
} from './harness.js';

describe('orderSync backfill across continue-as-new', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    // One order per activity: the test server suggests continue-as-new at 400 events, so 70 orders
    // take the job through more than one run.
    h = await startOrderHarness({
      customers: 20,
      orders: 75,
      items: 5,
      sagePageSize: 1,
      vars: { SYNC_ORDER_CHUNK_SIZE: '1' },
    });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('carries the cursor and the plan into the next run, and clears is_syncing only at the very end', async () => {
    const { orders: expected } = classifyOrders(h.sage.data.orders(), h.sage.data.customers());
    const handle = await h.startJob({ full: true });
    // While the chain runs (before the last run), the store is syncing.
    const deadline = Date.now() + 60_000;
    let sawSyncingInLaterRun = false;
    while (Date.now() < deadline) {
      const d = await handle.describe();
      if (d.status.name !== 'RUNNING') break;
      if (d.runId !== handle.firstExecutionRunId) {
        const store = await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`);
        sawSyncingInLaterRun ||= store.is_syncing;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const result = await handle.result();
    expect(result.status).toMatch(/^completed/);
    expect(result.runs).toBeGreaterThan(1);
    expect(sawSyncingInLaterRun).toBe(true);

    const orders = await readStoreOrders(h);
    expect(orderCreations(h)).toEqual(createdOnce(expected.keys()));
    expect(new Set(orders.map((o) => o.id))).toEqual(new Set(expected.keys()));
    const store = await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`);
    expect(store.is_syncing).toBe(false);
  });
});
