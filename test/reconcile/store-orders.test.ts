import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MailchimpClient } from '../../src/mailchimp/client.js';
import { MailchimpNotFoundError } from '../../src/mailchimp/errors.js';
import type { StoreOrderSummary } from '../../src/mailchimp/types.js';
import { STORE_ORDER_FIELDS } from '../../src/domain/reconcile/sides.js';
import { forEachBounded } from '../../src/shared/concurrency.js';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { email, simClient } from '../mailchimp/helpers.js';

const STORE = 'reconcile-store';
const ORDERS = 500;
const CAP = 3;

describe('paging through a store’s orders (MailchimpClient.forEachStoreOrderPage)', () => {
  let sim: MailchimpSimulator;
  let client: MailchimpClient;
  beforeAll(async () => {
    sim = await startMailchimpSimulator({ maxConnections: 10 });
    const listId = sim.state.createList({ name: 'Customers' });
    client = await simClient(sim, { MAILCHIMP_MAX_CONNECTIONS: String(CAP) });
    await client.ensureStore({ id: STORE, listId, name: 'Store', currencyCode: 'USD' });
    const product = { id: 'P1', title: 'Hinge', variants: [{ id: 'P1', title: 'Hinge' }] };
    await client.upsertProduct(STORE, product);
    const ids = Array.from({ length: ORDERS }, (_, i) => `ORD${String(i).padStart(5, '0')}`);
    await forEachBounded(ids, CAP, async (id) => {
      const body = {
        id,
        customer: { id: 'C1', email_address: email('buyer'), opt_in_status: false },
        currency_code: 'USD',
        order_total: 10,
        processed_at_foreign: '2026-10-05T00:00:00Z',
        lines: [{ id: '32', product_id: 'P1', product_variant_id: 'P1', quantity: 1, price: 10 }],
      };
      await client.upsertOrder(STORE, body, body);
    });
    // Slow answers, so pages overlap and the cap is what holds them back.
    sim.settings.latencyMs = 15;
  });
  afterAll(async () => sim?.stop());

  it('reads every order once, only the fields asked for, never above the connection cap', async () => {
    const before = sim.stats.requests;
    const seen: StoreOrderSummary[] = [];
    const stats = await client.forEachStoreOrderPage(STORE, STORE_ORDER_FIELDS, (o) => seen.push(...o), {
      pageSize: 50,
    });
    // 10 pages of 50, and one more after the last full page (orders added meanwhile would be there).
    expect(stats).toEqual({ pages: 11, orders: ORDERS });
    expect(sim.stats.requests - before).toBe(11);
    expect(sim.stats.maxConcurrent).toBeLessThanOrEqual(CAP);
    expect(new Set(seen.map((o) => o.id)).size).toBe(ORDERS);
    expect(Object.keys(seen[0]!).sort()).toEqual(
      [
        'currency_code',
        'financial_status',
        'fulfillment_status',
        'id',
        'lines',
        'order_total',
        'processed_at_foreign',
      ].sort(),
    );
    expect(seen[0]!.lines).toEqual([
      { id: '32', product_id: 'P1', product_variant_id: 'P1', quantity: 1, price: 10 },
    ]);
  });

  it('a store that does not exist is a MailchimpNotFoundError', async () => {
    await expect(
      client.forEachStoreOrderPage('no-such-store', ['id'], () => undefined),
    ).rejects.toBeInstanceOf(MailchimpNotFoundError);
  });

  it('cancels an order without deleting it', async () => {
    await client.cancelOrder(STORE, 'ORD00007', '2026-11-28T10:15:00.000Z');
    await client.cancelOrder(STORE, 'ORD00007', '2026-11-28T10:15:00.000Z');
    expect(await client.getOrder(STORE, 'ORD00007')).toMatchObject({
      financial_status: 'cancelled',
      cancelled_at_foreign: '2026-11-28T10:15:00.000Z',
      order_total: 10,
    });
  });
});
