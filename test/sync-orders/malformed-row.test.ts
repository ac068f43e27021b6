import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readJobTrail } from '../../src/starter/audit.js';
import { replayJob } from '../../src/starter/replay.js';
import type { SyncJobResult } from '../../src/workflows/types.js';
import { expectedOrders } from './expected.js';
import { readStoreOrders, startOrderHarness, type OrderHarness } from './harness.js';

describe('orders: a row that fails the schema', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    h = await startOrderHarness({ customers: 12, orders: 40, items: 5, sagePageSize: 10 });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('fails alone with its field; every other order is sent, and replay sends it once Sage is fixed', async () => {
    const rows = h.sage.data.orders();
    // A backfill reads every order but quotes, 10 a page: one in the middle of a page, and a page's
    // last row (the keyset cursor must move past it).
    const read = rows.filter((o) => o.OrderType !== 'Quote');
    const [middle, last] = [read[13]!, read[19]!].map((o) => o.OrderUniquifier as number) as [number, number];
    const lastLines = structuredClone(read[19]!.OrderDetails) as Array<Record<string, unknown>>;
    h.sage.data.patch('OEOrders', middle, { OrderDate: '2026-13-45T00:00:00Z' });
    h.sage.data.patch('OEOrders', last, {
      OrderDetails: lastLines.map((l, i) => (i === 0 ? { ...l, QuantityOrdered: 'many' } : l)),
    });
    const good = rows.filter((o) => o.OrderUniquifier !== middle && o.OrderUniquifier !== last);
    const expected = expectedOrders(good, h.sage.data.customers());

    const handle = await h.startJob({ full: true });
    const result = await handle.result();
    expect(result.status).toMatch(/^completed/);
    expect(result.counts.read).toBe(read.length);
    expect(new Set((await readStoreOrders(h)).map((o) => o.id))).toEqual(new Set(expected.keys()));

    const trail = await readJobTrail(h.t.client, handle.workflowId);
    expect(trail.records.find((r) => r.key === String(middle))).toMatchObject({
      action: 'failed',
      field: 'OrderDate',
      reason: 'malformed in Sage: OrderDate: not a real date',
    });
    expect(trail.records.find((r) => r.key === String(last))).toMatchObject({
      action: 'failed',
      field: 'OrderDetails.0.QuantityOrdered',
    });
    expect(result.watermarkHeld).toBeUndefined();

    h.sage.data.patch('OEOrders', middle, { OrderDate: '2026-10-02T00:00:00Z' });
    h.sage.data.patch('OEOrders', last, { OrderDetails: lastLines });
    const replay = (await replayJob(h.t.client, handle.workflowId, { taskQueue: h.t.taskQueue }))!;
    expect(replay.keys).toEqual(expect.arrayContaining([String(middle), String(last)]));
    expect(((await replay.handle.result()) as SyncJobResult).status).toMatch(/^completed/);
    const all = expectedOrders(h.sage.data.orders(), h.sage.data.customers());
    expect(new Set((await readStoreOrders(h)).map((o) => o.id))).toEqual(new Set(all.keys()));
  });
});
