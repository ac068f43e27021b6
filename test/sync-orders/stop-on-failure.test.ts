import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectedOrders } from './expected.js';
import { orderCreations, startOrderHarness, STORE_ID, type OrderHarness } from './harness.js';

/** Waits until Mailchimp has received no request for a second (the counter stops moving). */
async function quiet(h: OrderHarness): Promise<number> {
  let last = h.mc.stats.requests;
  for (let still = 0; still < 10;) {
    await new Promise((r) => setTimeout(r, 100));
    const now = h.mc.stats.requests;
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

const created = (h: OrderHarness) => Object.values(orderCreations(h)).reduce((a, b) => a + b, 0);

describe('orderSync: a page that fails stops writing', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    // One Sage page, one chunk, and one Mailchimp connection: requests reach Mailchimp one at a
    // time, in the order the activity starts them, and at most two orders are under way at once.
    h = await startOrderHarness({
      customers: 20,
      orders: 60,
      items: 5,
      sagePageSize: 100,
      mailchimpLatencyMs: 20,
      vars: { SYNC_ORDER_CHUNK_SIZE: '100', MAILCHIMP_MAX_CONNECTIONS: '1' },
    });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('no order is started after one failed with an error that fails the page (bad credentials)', async () => {
    const expected = expectedOrders(h.sage.data.orders(), h.sage.data.customers());
    const before = 5;
    expect(expected.size).toBeGreaterThan(before + 10);
    h.mc.faults.set({
      rules: [
        { method: 'POST', path: `/ecommerce/stores/${STORE_ID}/orders`, status: 401, skip: before, times: 1 },
      ],
    });
    try {
      const handle = await h.startJob({ full: true });
      await expect(handle.result()).rejects.toThrow();
      // The job has ended (is_syncing cleared through the same connection after the failure): what
      // Mailchimp holds now is what the failed page wrote.
      const requestsAtEnd = h.mc.stats.requests;
      const createdAtEnd = created(h);
      // The orders before the refused one, and at most the one other order already under way.
      expect(createdAtEnd).toBeLessThanOrEqual(before + 1);
      // Nothing reaches Mailchimp once the job has failed: no order is started behind its back.
      expect(await quiet(h)).toBe(requestsAtEnd);
      expect(created(h)).toBe(createdAtEnd);
    } finally {
      h.mc.faults.clear();
    }
    const store = await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`);
    expect(store.is_syncing).toBe(false);
  });
});
