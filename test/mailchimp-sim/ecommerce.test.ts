import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { apiCaller } from './http.js';

describe('Mailchimp simulator: e-commerce', () => {
  let sim: MailchimpSimulator;
  let call: ReturnType<typeof apiCaller>;
  let list: string;
  const S = '/ecommerce/stores/sage';

  beforeAll(async () => {
    sim = await startMailchimpSimulator();
    call = apiCaller(sim);
    list = sim.state.createList();
    const store = await call('POST', '/ecommerce/stores', {
      id: 'sage',
      list_id: list,
      name: 'Sage',
      currency_code: 'USD',
      is_syncing: true,
    });
    expect(store.status).toBe(200);
    const product = await call('PUT', `${S}/products/A1`, {
      title: 'Widget',
      variants: [{ id: 'A1', title: 'Widget', price: 5 }],
    });
    expect(product.status).toBe(200);
  });
  afterAll(() => sim.stop());

  it('binds stores to an audience and toggles is_syncing', async () => {
    const patched = await call('PATCH', S, { is_syncing: false });
    expect(patched.body).toMatchObject({
      id: 'sage',
      list_id: list,
      currency_code: 'USD',
      is_syncing: false,
    });
    const dup = await call('POST', '/ecommerce/stores', {
      id: 'sage',
      list_id: list,
      name: 'x',
      currency_code: 'USD',
    });
    expect(dup.status).toBe(400);
  });

  it('adds new customers to the audience as transactional or subscribed, never changing existing members', async () => {
    sim.state.seedMember(list, { email: 'optout@acme.io', status: 'unsubscribed' });
    await call('PUT', `${S}/customers/C1`, {
      id: 'C1',
      email_address: 'buyer@acme.io',
      opt_in_status: false,
    });
    await call('PUT', `${S}/customers/C2`, { id: 'C2', email_address: 'fan@acme.io', opt_in_status: true });
    await call('PUT', `${S}/customers/C3`, {
      id: 'C3',
      email_address: 'optout@acme.io',
      opt_in_status: true,
    });
    const status = async (e: string) => (await call('GET', `/lists/${list}/members/${e}`)).body.status;
    expect(await status('buyer@acme.io')).toBe('transactional');
    expect(await status('fan@acme.io')).toBe('subscribed');
    expect(await status('optout@acme.io')).toBe('unsubscribed');
  });

  it('enforces order rules: missing product, duplicate id, PATCH, no PUT', async () => {
    const order = {
      id: 'O1',
      customer: { id: 'C1' },
      currency_code: 'USD',
      order_total: 10,
      lines: [{ id: 'L1', product_id: 'A1', product_variant_id: 'A1', quantity: 2, price: 5 }],
    };
    const missing = await call('POST', `${S}/orders`, {
      ...order,
      lines: [{ ...order.lines[0], product_id: 'ZZ' }],
    });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({
      title: 'Bad Request',
      detail: 'A product with the provided ID does not exist in the account for this list.',
    });
    const created = await call('POST', `${S}/orders`, order);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: 'O1',
      store_id: 'sage',
      customer: { id: 'C1', orders_count: 1 },
    });
    const dup = await call('POST', `${S}/orders`, order);
    expect(dup.status).toBe(400);
    expect(dup.body).toMatchObject({
      title: 'Bad Request',
      detail: 'An order with the provided ID already exists in the account.',
    });
    const patched = await call('PATCH', `${S}/orders/O1`, {
      financial_status: 'paid',
      order_total: 15,
      lines: [{ id: 'L1', quantity: 3, price: 5 }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      financial_status: 'paid',
      order_total: 15,
      lines: [{ id: 'L1', quantity: 3, product_title: 'Widget' }],
    });
    const put = await call('PUT', `${S}/orders/O1`, order);
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toContain('PATCH');
    const read = await call('GET', `${S}/orders/O1`);
    expect(read.body).toMatchObject({ order_total: 15, customer: { total_spent: 15 } });
    const page = await call<{ orders: unknown[]; total_items: number }>(
      'GET',
      `${S}/orders?count=10&offset=0`,
    );
    expect(page.body.total_items).toBe(1);
    expect(sim.state.orders('sage')).toHaveLength(1);
  });
});
