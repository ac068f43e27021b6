import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readJobTrail } from '../../src/starter/audit.js';
import { startOrderHarness, type OrderHarness } from './harness.js';

describe('orders of an address Mailchimp refused earlier in the job', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    // One order a Sage page: the orders are written one after the other, in uniquifier order.
    h = await startOrderHarness({ customers: 1, orders: 0, items: 1, sagePageSize: 1 });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('fail with the same refusal, and an existing one is still updated, one request each', async () => {
    h.sage.data.addCustomer({ CustomerNumber: 'GOODCO', CustomerName: 'Good Co', Email: 'buyer@goodco.com' });
    h.sage.data.addCustomer({
      CustomerNumber: 'BADCO',
      CustomerName: 'Bad Co',
      Email: 'orders@badco.invalid',
    });
    const enter = (customer: string) => h.sage.data.enterOrder({ CustomerNumber: customer });
    const first = enter('BADCO');
    const existing = enter('GOODCO');
    const later = [enter('BADCO'), enter('BADCO')];
    await h.runJob({ full: true });
    // An earlier run's order whose customer is now one with a refused address (renumbered in Sage).
    h.sage.data.patch('OEOrders', existing.OrderUniquifier as number, { CustomerNumber: 'BADCO' });

    const run = async () => {
      const before = h.mc.stats.requests;
      const handle = await h.startJob({ full: true });
      const result = await handle.result();
      return { result, requests: h.mc.stats.requests - before, handle };
    };
    const rerun = await run();
    expect(rerun.result.counts).toMatchObject({ created: 0, updated: 1, failed: 3 });
    const trail = await readJobTrail(h.t.client, rerun.handle.workflowId);
    expect(trail.records.find((r) => r.key === String(existing.OrderUniquifier))?.action).toBe('updated');
    const refusals = [first, ...later].map((o) =>
      trail.records.find((r) => r.key === String(o.OrderUniquifier)),
    );
    expect(refusals.map((r) => r?.action)).toEqual(['failed', 'failed', 'failed']);
    expect(refusals[0]).toMatchObject({
      status: 400,
      reason: expect.stringContaining('looks fake or invalid'),
    });
    expect(refusals.map((r) => r?.reason)).toEqual(refusals.map(() => refusals[0]!.reason));

    // Two more orders of the address: each costs one request (the GET that finds no order), not a
    // refused POST and then that GET.
    enter('BADCO');
    enter('BADCO');
    const more = await run();
    expect(more.result.counts).toMatchObject({ created: 0, updated: 1, failed: 5 });
    expect(more.requests - rerun.requests).toBe(2);
  });
});
