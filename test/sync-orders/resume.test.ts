import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { classifyOrders } from './expected.js';
import { expectBackfilledExactlyOnce } from './assertions.js';
import { startOrderHarness, STORE_ID, type OrderHarness } from './harness.js';

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
    const classified = classifyOrders(h.sage.data.orders(), h.sage.data.customers());
    const expected = classified.orders;
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
    expect(writtenWhileDown).toBeLessThan(expected.size);

    await expectBackfilledExactlyOnce(h, result, classified);
  });
});
