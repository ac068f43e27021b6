import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { activityInfo } from '@temporalio/activity';
import { createActivities } from '../../src/activities/index.js';
import type { OrderPageInput } from '../../src/activities/orders/index.js';
import { createTestWorker } from '../helpers/temporal.js';
import { memoryLogger } from '../helpers/logger.js';
import { stopAfterHeartbeat } from '../helpers/older-attempt.js';
import { expectedOrders } from './expected.js';
import { readStoreOrders, startOrderHarness, type OrderHarness } from './harness.js';

describe('an order chunk resumes from a checkpoint written by 0.1.0', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    // Sage pages of 10, one chunk for the whole backfill.
    h = await startOrderHarness({ customers: 20, orders: 40, items: 5, sagePageSize: 10 });
  });
  afterAll(async () => h?.stop());

  it('the Sage pages the old attempt settled are not read or written again, and are counted from its checkpoint', async () => {
    const backfilled = h.sage.data
      .orders()
      .filter((o) => o.OrderType !== 'Quote')
      .sort((a, b) => (a.OrderUniquifier as number) - (b.OrderUniquifier as number));
    const settled = backfilled.slice(0, 10);
    const last = settled[settled.length - 1]!.OrderUniquifier as number;
    const settledKeys = settled.map((o) => String(o.OrderUniquifier));
    // Heartbeat details exactly as 0.1.0's syncOrderPage sent them (its OrderCheckpoint) once the
    // chunk's first Sage page was settled.
    const checkpoint010 = {
      cursor: last,
      processed: 10,
      counts: { read: 10, created: 10, updated: 0, unchanged: 0, skipped: 0, failed: 0 },
      trail: { created: settledKeys, updated: [], unchanged: [], skipped: [], failed: [] },
      maxUniquifier: last,
      maxDay: '2026-10-01',
    };

    const { logger } = memoryLogger('warn');
    const activities = createActivities({
      config: h.config,
      logger,
      version: 'test',
      temporalClient: h.t.client,
    });
    const worker = await createTestWorker(h.t, {
      ...activities,
      async syncOrderPage(input: OrderPageInput) {
        if (activityInfo().attempt === 1 && input.cursor === undefined)
          return stopAfterHeartbeat(h.t.client, checkpoint010);
        return activities.syncOrderPage(input);
      },
    });
    const running = worker.run();
    let result;
    try {
      result = await h.runJob({ full: true });
    } finally {
      worker.shutdown();
      await running;
    }
    expect(result.status).toMatch(/^completed/);
    expect(result.counts.read).toBe(backfilled.length);

    const expected = expectedOrders(h.sage.data.orders(), h.sage.data.customers());
    const settledIds = new Set(settled.map((o) => String(o.OrderNumber).trim()));
    const rest = [...expected.keys()].filter((id) => !settledIds.has(id));
    expect(rest.length).toBeGreaterThan(10);
    // Only the orders after the checkpoint's cursor were sent; the settled page's count as created.
    expect(new Set((await readStoreOrders(h)).map((o) => o.id))).toEqual(new Set(rest));
    expect(result.counts.created).toBe(settled.length + rest.length);
  });
});
