import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chosenEmail, customerWithGoodEmail } from './expected.js';
import { readStoreOrders, startOrderHarness, type OrderHarness } from './harness.js';

describe('orderSync campaign attribution and quotes', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    h = await startOrderHarness({
      customers: 20,
      orders: 30,
      items: 6,
      vars: { SYNC_ORDER_CAMPAIGN_FIELD: 'MCCAMPAIGN' },
    });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('sends campaign_id from the order optional field on create and never rewrites it on update', async () => {
    const customer = customerWithGoodEmail(h.sage.data.customers());
    const item = String(h.sage.data.items()[0]!.UnformattedItemNumber);
    const entered = h.sage.data.enterOrder({
      CustomerNumber: String(customer.CustomerNumber),
      lines: [{ item, quantity: 2, unitPrice: 50 }],
      OrderOptionalFields: [{ OptionalField: 'MCCAMPAIGN', Value: 'cmp-spring' }],
    });
    const quote = h.sage.data.enterOrder({
      CustomerNumber: String(customer.CustomerNumber),
      OrderType: 'Quote',
      lines: [{ item, quantity: 1, unitPrice: 50 }],
    });
    const first = await h.runJob({ full: true });
    expect(first.status).toMatch(/^completed/);
    let orders = await readStoreOrders(h);
    const id = String(entered.OrderNumber).trim();
    expect(orders.find((o) => o.id === id)?.campaign_id).toBe('cmp-spring');
    expect(orders.some((o) => o.id === String(quote.OrderNumber).trim())).toBe(false);
    // The customer's email on the order is the member's (attribution matches through it).
    expect(orders.find((o) => o.id === id)?.customer.email_address).toBe(
      chosenEmail(customer)!.toLowerCase(),
    );

    // Someone edits the field in Sage and the order ships: the update carries the status, not the campaign.
    const uniquifier = entered.OrderUniquifier as number;
    h.sage.data.tables.OEOrders.put({
      ...h.sage.data.order(uniquifier)!,
      OrderOptionalFields: [{ OptionalField: 'MCCAMPAIGN', Value: 'cmp-other' }],
    });
    h.sage.data.completeOrder(uniquifier);
    const result = await h.runJob({});
    expect(result.counts.updated).toBeGreaterThanOrEqual(1);
    orders = await readStoreOrders(h);
    const mine = orders.filter((o) => o.id === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ campaign_id: 'cmp-spring', financial_status: 'paid' });
  });
});
