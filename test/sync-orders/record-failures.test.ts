import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readJobTrail } from '../../src/starter/audit.js';
import { replayJob } from '../../src/starter/replay.js';
import type { SyncJobResult } from '../../src/workflows/types.js';
import { classifyOrders, expectedOrders } from './expected.js';
import { readStoreOrders, startOrderHarness, STORE_ID, type OrderHarness } from './harness.js';

const orderPath = (id: string) => `/ecommerce/stores/${STORE_ID}/orders/${encodeURIComponent(id)}`;

describe('orderSync: a record Mailchimp will not take fails alone, the job goes on', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    h = await startOrderHarness({ customers: 12, orders: 30, items: 5 });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('a refused product fails only the orders that use it, and replay sends them once it is accepted', async () => {
    const { orders: expected } = classifyOrders(h.sage.data.orders(), h.sage.data.customers());
    const byProduct = new Map<string, string[]>();
    for (const o of expected.values()) {
      for (const l of o.lines) byProduct.set(l.product, [...(byProduct.get(l.product) ?? []), o.id]);
    }
    // A product some, but not all, expected orders use.
    const [bad, users] = [...byProduct].sort((a, b) => a[1].length - b[1].length)[0]!;
    expect(users.length).toBeGreaterThan(0);
    expect(users.length).toBeLessThan(expected.size);
    const usersSet = new Set(users);
    h.mc.faults.set({
      rules: [
        {
          method: 'PUT',
          path: `/ecommerce/stores/${STORE_ID}/products/${encodeURIComponent(bad)}`,
          status: 400,
          title: 'Invalid Resource',
          detail: 'The resource submitted could not be validated.',
        },
      ],
    });
    let handle;
    try {
      handle = await h.startJob({ full: true });
      const result = await handle.result();
      expect(result.status).toBe('completed_with_failures');
    } finally {
      h.mc.faults.clear();
    }
    const stored = new Set((await readStoreOrders(h)).map((o) => o.id));
    expect(stored).toEqual(new Set([...expected.keys()].filter((id) => !usersSet.has(id))));
    const trail = await readJobTrail(h.t.client, handle.workflowId);
    const productFailures = trail.records.filter((r) => r.reason?.startsWith(`product ${bad} rejected:`));
    // Every expected order that uses it, and only orders that use it (one with a refused address too).
    const failedIds = new Set(productFailures.map((r) => r.mailchimpId));
    for (const id of users) expect(failedIds).toContain(id);
    const usesBad = (id: string | undefined) =>
      h.sage.data
        .orders()
        .some(
          (o) =>
            String(o.OrderNumber).trim() === id &&
            (o.OrderDetails as Array<Record<string, unknown>>).some(
              (d) => String(d.UnformattedItemNumber).trim() === bad,
            ),
        );
    expect([...failedIds].every(usesBad)).toBe(true);
    expect(productFailures.every((r) => r.action === 'failed' && r.status === 400)).toBe(true);

    const replay = await replayJob(h.t.client, handle.workflowId, { taskQueue: h.t.taskQueue });
    const replayed = (await replay!.handle.result()) as SyncJobResult;
    expect(replayed.counts.created).toBe(usersSet.size);
    expect(new Set((await readStoreOrders(h)).map((o) => o.id))).toEqual(new Set(expected.keys()));
  });

  it('a 404 on updating an order (or any non-retryable answer) fails that order, not the job', async () => {
    const expected = expectedOrders(h.sage.data.orders(), h.sage.data.customers());
    const open = h.sage.data
      .orders()
      .filter(
        (o) => o.OrderCompleted === 'IncompleteNotIncluded' && expected.has(String(o.OrderNumber).trim()),
      );
    expect(open.length).toBeGreaterThanOrEqual(2);
    const [gone, fine] = open as [Record<string, unknown>, Record<string, unknown>];
    h.sage.data.completeOrder(gone.OrderUniquifier as number);
    h.sage.data.completeOrder(fine.OrderUniquifier as number);
    h.mc.faults.set({
      rules: [{ method: 'PATCH', path: orderPath(String(gone.OrderNumber).trim()), status: 404 }],
    });
    let handle;
    try {
      handle = await h.startJob({});
      const result = await handle.result();
      expect(result.status).toBe('completed_with_failures');
      expect(result.counts.updated).toBe(1);
    } finally {
      h.mc.faults.clear();
    }
    const trail = await readJobTrail(h.t.client, handle.workflowId);
    expect(trail.records.find((r) => r.key === String(gone.OrderUniquifier))).toMatchObject({
      action: 'failed',
      status: 404,
    });
    expect(trail.records.find((r) => r.key === String(fine.OrderUniquifier))).toMatchObject({
      action: 'updated',
    });
  });

  it('a transient failure that outlasts two attempts is recorded on its order (retryable) so the job completes', async () => {
    const expected = expectedOrders(h.sage.data.orders(), h.sage.data.customers());
    const open = h.sage.data
      .orders()
      .find(
        (o) => o.OrderCompleted === 'IncompleteNotIncluded' && expected.has(String(o.OrderNumber).trim()),
      )!;
    expect(open).toBeDefined();
    h.sage.data.completeOrder(open.OrderUniquifier as number);
    h.mc.faults.set({
      rules: [{ method: 'GET', path: orderPath(String(open.OrderNumber).trim()), status: 503 }],
    });
    let handle;
    try {
      handle = await h.startJob({});
      const result = await handle.result();
      expect(result.status).toBe('completed_with_failures');
      expect(result.counts.failed).toBe(1);
    } finally {
      h.mc.faults.clear();
    }
    const trail = await readJobTrail(h.t.client, handle.workflowId);
    const record = trail.records.find((r) => r.key === String(open.OrderUniquifier));
    expect(record).toMatchObject({ action: 'failed', status: 503 });
    expect(record!.reason).toMatch(/^\(retryable\)/);

    // Replayed once Mailchimp answers again: the order is updated.
    const replay = await replayJob(h.t.client, handle.workflowId, { taskQueue: h.t.taskQueue });
    expect(replay?.keys).toEqual([String(open.OrderUniquifier)]);
    const replayed = (await replay!.handle.result()) as SyncJobResult;
    expect(replayed.counts.updated).toBe(1);
    const mine = (await readStoreOrders(h)).filter((o) => o.id === String(open.OrderNumber).trim());
    expect(mine[0]).toMatchObject({ financial_status: 'paid' });
  }, 120_000);
});
