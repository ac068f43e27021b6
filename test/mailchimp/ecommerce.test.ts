import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { updateBody, type MappedOrderBody } from '../../src/domain/orders/mapping.js';
import type { MailchimpClient } from '../../src/mailchimp/client.js';
import { MailchimpAuthError, MailchimpRecordError } from '../../src/mailchimp/errors.js';
import type { ProductInput } from '../../src/mailchimp/types.js';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { email, simClient } from './helpers.js';

let sim: MailchimpSimulator;
let client: MailchimpClient;
let listId: string;
const storeId = 'sage-saminc';

beforeAll(async () => {
  sim = await startMailchimpSimulator();
  listId = sim.state.createList({ name: 'Customers' });
  client = await simClient(sim);
});
afterAll(async () => {
  await sim.stop();
});

const product: ProductInput = {
  id: 'A1-103/0',
  title: 'Steel hinge',
  variants: [{ id: 'A1-103/0', title: 'Steel hinge', sku: 'A1-103/0', price: 12.5 }],
};

const order = (over: Partial<MappedOrderBody> = {}): MappedOrderBody => ({
  id: 'ORD000123',
  customer: { id: '1200', email_address: email('buyer'), opt_in_status: false, company: 'Lee Hardware' },
  currency_code: 'USD',
  order_total: 25,
  financial_status: 'pending',
  lines: [{ id: '1', product_id: product.id, product_variant_id: product.id, quantity: 2, price: 12.5 }],
  ...over,
});

describe('e-commerce', () => {
  it('creates the store once, tied to the audience, and refuses a store of another audience', async () => {
    const first = await client.ensureStore({ id: storeId, listId, name: 'Sample Inc', currencyCode: 'USD' });
    expect(first.created).toBe(true);
    expect(first.store).toMatchObject({ id: storeId, list_id: listId, currency_code: 'USD' });
    const second = await client.ensureStore({ id: storeId, listId, name: 'Sample Inc', currencyCode: 'USD' });
    expect(second.created).toBe(false);
    const otherList = sim.state.createList({ name: 'Other' });
    await expect(
      client.ensureStore({ id: storeId, listId: otherList, name: 'Sample Inc', currencyCode: 'USD' }),
    ).rejects.toThrow(/belongs to audience/);
  });

  it('upserts products (PUT) so an order can use them; an order for an unknown product is a record error', async () => {
    const early = order({ id: 'ORD-EARLY' });
    await expect(client.upsertOrder(storeId, early, updateBody(early))).rejects.toBeInstanceOf(
      MailchimpRecordError,
    );
    await client.upsertProduct(storeId, product);
    await client.upsertProduct(storeId, { ...product, title: 'Steel hinge, zinc' });
    const p = await client.request<{ title: string }>(
      'GET',
      `ecommerce/stores/${storeId}/products/${encodeURIComponent(product.id)}`,
    );
    expect(p.title).toBe('Steel hinge, zinc');
  });

  it('creates an order, then updates it by PATCH without touching its campaign attribution', async () => {
    const first = order({ campaign_id: 'cmp123' });
    expect(await client.upsertOrder(storeId, first, updateBody(first))).toBe('created');
    const updated = order({
      financial_status: 'paid',
      fulfillment_status: 'shipped',
      order_total: 37.5,
      lines: [{ id: '1', product_id: product.id, product_variant_id: product.id, quantity: 3, price: 12.5 }],
      campaign_id: 'cmp-other',
    });
    expect(await client.upsertOrder(storeId, updated, updateBody(updated))).toBe('updated');
    const o = await client.getOrder(storeId, 'ORD000123');
    expect(o).toMatchObject({
      campaign_id: 'cmp123',
      financial_status: 'paid',
      fulfillment_status: 'shipped',
      order_total: 37.5,
    });
    expect(o?.lines).toEqual([expect.objectContaining({ id: '1', quantity: 3 })]);
    expect(sim.state.orders(storeId)).toHaveLength(1);
    await expect(client.getOrder(storeId, 'NOPE')).resolves.toBeUndefined();
  });

  it("an order's customer joins with opt_in_status false: a new address is transactional, an unsubscribed one stays", async () => {
    sim.state.seedMember(listId, { email: email('optout'), status: 'unsubscribed' });
    const forCustomer = (id: string, local: string) =>
      order({ id: `ORD-${id}`, customer: { id, email_address: email(local), opt_in_status: false } });
    for (const o of [forCustomer('1100', 'optout'), forCustomer('1101', 'newbuyer')])
      expect(await client.upsertOrder(storeId, o, updateBody(o))).toBe('created');
    expect(sim.state.member(listId, email('optout'))?.status).toBe('unsubscribed');
    expect(sim.state.member(listId, email('newbuyer'))?.status).toBe('transactional');
  });

  it('updates a known order in place; a line the API cannot delete is tolerated, bad credentials are not', async () => {
    const two = order({
      id: 'ORD-TWO',
      order_total: 37.5,
      lines: [
        { id: '32', product_id: product.id, product_variant_id: product.id, quantity: 2, price: 12.5 },
        { id: '64', product_id: product.id, product_variant_id: product.id, quantity: 1, price: 12.5 },
      ],
    });
    await client.upsertOrder(storeId, two, updateBody(two));
    const shipped = order({ ...two, financial_status: 'paid', fulfillment_status: 'shipped' });
    await client.updateOrder(storeId, two.id, updateBody(shipped));
    expect(await client.getOrder(storeId, two.id)).toMatchObject({
      financial_status: 'paid',
      fulfillment_status: 'shipped',
    });
    // The simulator, like Mailchimp before the lines endpoint, has no line DELETE (404/405).
    await expect(client.deleteOrderLine(storeId, two.id, '64')).resolves.toBeUndefined();
    await expect(client.deleteOrderLine(storeId, 'NO-SUCH-ORDER', '32')).resolves.toBeUndefined();
    const locked = await simClient(sim, { MAILCHIMP_API_KEY: `${'0'.repeat(32)}-us6` });
    await expect(locked.deleteOrderLine(storeId, two.id, '64')).rejects.toBeInstanceOf(MailchimpAuthError);
  });

  it('registers, lists and deletes a webhook', async () => {
    const receiver = await import('node:http').then(
      (http) =>
        new Promise<import('node:http').Server>((resolve) => {
          const s = http.createServer((_req, res) => res.writeHead(200).end());
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    );
    try {
      const port = (receiver.address() as import('node:net').AddressInfo).port;
      const hook = await client.createWebhook(listId, {
        url: `http://127.0.0.1:${port}/webhooks/mailchimp/secret0123456789`,
        events: {
          subscribe: true,
          unsubscribe: true,
          profile: true,
          cleaned: true,
          upemail: true,
          campaign: false,
        },
        sources: { user: true, admin: true, api: false },
      });
      expect((await client.listWebhooks(listId)).map((w) => w.id)).toContain(hook.id);
      await client.deleteWebhook(listId, hook.id);
      expect((await client.listWebhooks(listId)).map((w) => w.id)).not.toContain(hook.id);
    } finally {
      receiver.close();
    }
  });
});
