import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chosenEmail, expectedOrders } from './expected.js';
import { readStoreOrders, startOrderHarness, type OrderHarness } from './harness.js';

/**
 * Mailchimp adds an order's inline customer to the audience only when the address is new there; an
 * existing member's status is never overwritten (docs/order-sync.md, "Archived members"). The order
 * sync therefore sends the orders of a customer whose member is archived, and the member stays so.
 */
describe('orders of a customer whose member a marketer archived', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    h = await startOrderHarness({ customers: 12, orders: 30, items: 5 });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('are sent, and the member stays archived', async () => {
    const expected = [...expectedOrders(h.sage.data.orders(), h.sage.data.customers()).values()];
    const customerId = expected[0]!.customerId;
    const customer = h.sage.data.customers().find((c) => String(c.CustomerNumber).trim() === customerId);
    const email = chosenEmail(customer)!;
    h.mc.state.seedMember(h.listId, { email, status: 'archived' });

    expect((await h.runJob({ full: true })).status).toMatch(/^completed/);
    const theirs = expected.filter((o) => o.customerId === customerId).map((o) => o.id);
    const stored = new Set((await readStoreOrders(h)).map((o) => o.id));
    for (const id of theirs) expect(stored).toContain(id);
    expect(h.mc.state.member(h.listId, email)?.status).toBe('archived');
  });
});
