import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readJobTrail } from '../../src/starter/audit.js';
import { replayJob } from '../../src/starter/replay.js';
import type { SyncJobResult } from '../../src/workflows/types.js';
import { readStoreOrders, startOrderHarness, type OrderHarness } from './harness.js';

describe('orders in audit and replay', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    h = await startOrderHarness({ customers: 10, orders: 12, items: 4 });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('a refused order is in the audit trail with a masked email, and replay re-sends it once fixed', async () => {
    h.sage.data.addCustomer({
      CustomerNumber: 'NEWCO',
      CustomerName: 'New Co',
      Email: 'orders@newco.invalid',
    });
    const item = String(h.sage.data.items()[0]!.UnformattedItemNumber);
    const order = h.sage.data.enterOrder({
      CustomerNumber: 'NEWCO',
      lines: [{ item, quantity: 4, unitPrice: 12.5 }],
    });
    const key = String(order.OrderUniquifier);

    const handle = await h.startJob({ full: true });
    await handle.result();
    const trail = await readJobTrail(h.t.client, handle.workflowId);
    const failed = trail.records.find((r) => r.key === key);
    expect(failed).toMatchObject({ action: 'failed', status: 400, mailchimpId: String(order.OrderNumber) });
    expect(failed!.email).not.toContain('orders@newco');
    expect(JSON.stringify(trail.records)).not.toContain('orders@newco.invalid');

    h.sage.data.editCustomer('NEWCO', { Email: 'orders@newco.com' });
    const replay = await replayJob(h.t.client, handle.workflowId, { taskQueue: h.t.taskQueue });
    expect(replay?.keys).toContain(key);
    const result = (await replay!.handle.result()) as SyncJobResult;
    expect(result.counts.created).toBeGreaterThanOrEqual(1);
    const stored = (await readStoreOrders(h)).filter((o) => o.id === String(order.OrderNumber));
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ order_total: order.OrderTotal, customer: { id: 'NEWCO' } });
  });

  it('an order of a customer without an email is recorded failed (no-valid-email) and replay sends it once the email is fixed in Sage', async () => {
    h.sage.data.addCustomer({
      CustomerNumber: 'NOMAIL',
      CustomerName: 'No Mail Ltd',
      Email: '',
      ContactsEmail: '',
    });
    const item = String(h.sage.data.items()[0]!.UnformattedItemNumber);
    const order = h.sage.data.enterOrder({
      CustomerNumber: 'NOMAIL',
      lines: [{ item, quantity: 2, unitPrice: 30 }],
    });
    const key = String(order.OrderUniquifier);

    const handle = await h.startJob({});
    expect((await handle.result()).status).toBe('completed_with_failures');
    const trail = await readJobTrail(h.t.client, handle.workflowId);
    expect(trail.records.find((r) => r.key === key)).toMatchObject({
      action: 'failed',
      reason: 'no-valid-email',
      mailchimpId: String(order.OrderNumber).trim(),
    });
    expect((await readStoreOrders(h)).some((o) => o.id === String(order.OrderNumber).trim())).toBe(false);

    h.sage.data.editCustomer('NOMAIL', { Email: 'buyer@nomail-ltd.com' });
    const replay = await replayJob(h.t.client, handle.workflowId, { taskQueue: h.t.taskQueue });
    expect(replay?.keys).toContain(key);
    const result = (await replay!.handle.result()) as SyncJobResult;
    expect(result.status).toBe('completed');
    const stored = (await readStoreOrders(h)).filter((o) => o.id === String(order.OrderNumber).trim());
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      order_total: order.OrderTotal,
      customer: { id: 'NOMAIL', email_address: 'buyer@nomail-ltd.com' },
    });
  });
});
