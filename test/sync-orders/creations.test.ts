import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';

// The order tests' "exactly once" rests on this counter: the store keeps orders by id, so a second
// creation of the same id (after a delete, or a double POST) never shows in its listing.
describe('Mailchimp simulator: order creations are counted per id', () => {
  let mc: MailchimpSimulator;
  let listId: string;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${mc.apiUrl}/${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`any:${mc.apiKey}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return res.status;
  };
  beforeAll(async () => {
    mc = await startMailchimpSimulator();
    listId = mc.state.createList({ name: 'Customers' });
  });
  afterAll(async () => mc?.stop());

  it('counts each successful POST, not refused duplicates, and remembers a re-creation', async () => {
    const store = { id: 's1', list_id: listId, name: 'S', currency_code: 'USD' };
    expect(await call('POST', 'ecommerce/stores', store)).toBe(200);
    const product = { id: 'p1', title: 'P', variants: [{ id: 'p1', title: 'P' }] };
    expect(await call('PUT', 'ecommerce/stores/s1/products/p1', product)).toBe(200);
    const order = {
      id: 'o1',
      customer: { id: 'c1', email_address: 'buyer@shop-one.com', opt_in_status: false },
      currency_code: 'USD',
      order_total: 10,
      lines: [{ id: 'l1', product_id: 'p1', product_variant_id: 'p1', quantity: 1, price: 10 }],
    };
    expect(await call('POST', 'ecommerce/stores/s1/orders', order)).toBe(200);
    expect(await call('POST', 'ecommerce/stores/s1/orders', order)).toBe(400); // exists: not counted
    expect(Object.fromEntries(mc.state.orderCreations('s1'))).toEqual({ o1: 1 });
    expect(await call('DELETE', 'ecommerce/stores/s1/orders/o1')).toBe(204);
    expect(await call('POST', 'ecommerce/stores/s1/orders', order)).toBe(200);
    expect(mc.state.orders('s1')).toHaveLength(1);
    expect(Object.fromEntries(mc.state.orderCreations('s1'))).toEqual({ o1: 2 });
  });
});
