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

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

function storedCount(h: OrderHarness): number {
  try {
    return h.mc.state.orders(STORE_ID).length;
  } catch {
    return 0; // the store does not exist yet
  }
}

describe('orderSync backfill survives a worker that dies mid-run', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    // Slow Mailchimp and small chunks: the backfill takes several seconds and many activities.
    h = await startOrderHarness({
      customers: 40,
      orders: 150,
      items: 10,
      sagePageSize: 10,
      mailchimpLatencyMs: 40,
      vars: { SYNC_ORDER_CHUNK_SIZE: '20', MAILCHIMP_MAX_CONNECTIONS: '4' },
    });
  });
  afterAll(async () => h?.stop());

  it('a restarted worker finishes with every order exactly once and is_syncing cleared', async () => {
    const {
      orders: expected,
      rejected,
      dataFixable,
    } = classifyOrders(h.sage.data.orders(), h.sage.data.customers());
    const first = await h.startWorker();
    const handle = await h.startJob({ full: true });

    await waitFor(() => storedCount(h) >= 25, 60_000);
    expect(storedCount(h)).toBeLessThan(expected.size);
    const syncing = await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`);
    expect(syncing.is_syncing).toBe(true);

    first.worker.shutdown();
    await first.running;
    const writtenWhileDown = storedCount(h);

    await h.startWorker();
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(writtenWhileDown).toBeLessThan(expected.size);

    const orders = await readStoreOrders(h);
    // Each order was created by exactly one successful POST (a re-done page updates, never re-creates).
    expect(orderCreations(h)).toEqual(createdOnce(expected.keys()));
    expect(new Set(orders.map((o) => o.id))).toEqual(new Set(expected.keys()));
    for (const o of orders) expect(o.order_total).toBe(expected.get(o.id)!.total);
    // Each order is counted once, in the page attempt that settled it.
    expect(result.counts.created + result.counts.updated).toBe(expected.size);
    expect(result.counts.failed).toBe(rejected.size + dataFixable.size);

    const store = await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`);
    expect(store.is_syncing).toBe(false);
  });
});
