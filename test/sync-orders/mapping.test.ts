import { describe, expect, it } from '@jest/globals';
import type { ARCustomer, OEOrder, OEOrderLine } from '../../src/sage300/schemas.js';
import {
  campaignIdOf,
  chooseCustomerEmail,
  lineQuantity,
  mapOrder,
  orderDiffers,
  orderStatuses,
  productsOf,
  removedLineIds,
  updateBody,
} from '../../src/domain/orders/mapping.js';

const customer: ARCustomer = {
  CustomerNumber: '1200',
  CustomerName: 'Maple Hardware Ltd.',
  Email: ' AP@MapleHW.example ',
  ContactsEmail: 'priya@maplehw.example',
} as ARCustomer;

function line(over: Partial<OEOrderLine> = {}): OEOrderLine {
  return {
    LineNumber: 32,
    LineType: 'Item',
    Item: 'A1-105/0',
    UnformattedItemNumber: 'A11050',
    Description: 'Steel hinge, 3 in',
    QuantityOrdered: 20,
    OrderUnitPrice: 12.9,
    ...over,
  } as OEOrderLine;
}

function order(over: Partial<OEOrder> = {}): OEOrder {
  return {
    OrderUniquifier: 41217,
    OrderNumber: 'ORD000000000812',
    CustomerNumber: '1200',
    OrderType: 'Active',
    OrderDate: '2025-03-17T00:00:00Z',
    OnHold: false,
    OrderCompleted: 'IncompleteNotIncluded',
    OrderSourceCurrency: 'CAD',
    OrderHomeCurrency: 'USD',
    OrderTotal: 535.62,
    TotalTaxAmount: 61.62,
    OrderDetails: [
      line(),
      line({
        LineNumber: 64,
        Item: 'A1-310/0',
        UnformattedItemNumber: 'A13100',
        Description: 'Handle',
        QuantityOrdered: 8,
        OrderUnitPrice: 27,
      }),
    ],
    ...over,
  } as OEOrder;
}

const opts = { includeQuotes: false };

describe('order mapping', () => {
  it('maps the identity, amounts, currency and lines of an open order', () => {
    const r = mapOrder(order(), customer, opts);
    if (!r.ok) throw new Error(r.reason);
    expect(r.order).toEqual({
      id: 'ORD000000000812',
      customer: {
        id: '1200',
        email_address: 'AP@MapleHW.example',
        opt_in_status: false,
        company: 'Maple Hardware Ltd.',
      },
      currency_code: 'CAD',
      order_total: 535.62,
      tax_total: 61.62,
      processed_at_foreign: '2025-03-17T00:00:00Z',
      financial_status: 'pending',
      fulfillment_status: 'unfulfilled',
      lines: [
        { id: '32', product_id: 'A11050', product_variant_id: 'A11050', quantity: 20, price: 12.9 },
        { id: '64', product_id: 'A13100', product_variant_id: 'A13100', quantity: 8, price: 27 },
      ],
    });
    expect(r.products.map((p) => p.id)).toEqual(['A11050', 'A13100']);
    expect(r.products[0]).toEqual({
      id: 'A11050',
      title: 'Steel hinge, 3 in',
      variants: [{ id: 'A11050', title: 'Steel hinge, 3 in', sku: 'A1-105/0' }],
    });
  });

  it('falls back to the home currency and trims the order number', () => {
    const r = mapOrder(order({ OrderSourceCurrency: undefined, OrderNumber: 'ORD9' }), customer, opts);
    expect(r.ok && r.order.currency_code).toBe('USD');
    expect(r.ok && r.order.id).toBe('ORD9');
  });

  it('skips quotes unless configured, and says why it skips', () => {
    expect(mapOrder(order({ OrderType: 'Quote' }), customer, opts)).toEqual({ ok: false, reason: 'quote' });
    expect(mapOrder(order({ OrderType: 'Quote' }), customer, { includeQuotes: true }).ok).toBe(true);
    expect(mapOrder(order(), undefined, opts)).toEqual({ ok: false, reason: 'customer-missing' });
    const noEmail = { ...customer, Email: '', ContactsEmail: 'not-an-email' } as ARCustomer;
    expect(mapOrder(order(), noEmail, opts)).toEqual({ ok: false, reason: 'no-valid-email' });
    expect(mapOrder(order({ OrderNumber: '  ' }), customer, opts)).toEqual({
      ok: false,
      reason: 'no-order-number',
    });
    const miscOnly = order({
      OrderDetails: [
        line({ LineType: 'Miscellaneous', UnformattedItemNumber: '', MiscellaneousChargesCode: 'FRT' }),
      ],
    });
    expect(mapOrder(miscOnly, customer, opts)).toEqual({ ok: false, reason: 'no-item-lines' });
  });

  it('chooses the first valid of Email and ContactsEmail, trimmed (the customer sync rule)', () => {
    expect(chooseCustomerEmail({ Email: ' a@b.example ', ContactsEmail: 'c@d.example' })).toBe('a@b.example');
    expect(chooseCustomerEmail({ Email: '  ', ContactsEmail: 'c@d.example' })).toBe('c@d.example');
    expect(chooseCustomerEmail({ Email: 'broken@', ContactsEmail: 'c@d.example' })).toBe('c@d.example');
    expect(chooseCustomerEmail({ Email: undefined, ContactsEmail: undefined })).toBeUndefined();
  });

  it('drops miscellaneous charge lines but keeps their amount in the total', () => {
    const o = order({
      OrderTotal: 600,
      OrderDetails: [
        line(),
        line({
          LineNumber: 64,
          LineType: 'Miscellaneous',
          UnformattedItemNumber: '',
          MiscellaneousChargesCode: 'FRT',
          OrderUnitPrice: 64.38,
          QuantityOrdered: 1,
        }),
      ],
    });
    const r = mapOrder(o, customer, opts);
    expect(r.ok && r.order.lines.map((l) => l.id)).toEqual(['32']);
    expect(r.ok && r.order.order_total).toBe(600);
    expect(productsOf([o]).map((p) => p.id)).toEqual(['A11050']);
  });

  it('status table: completed, on hold, partially shipped, open', () => {
    expect(orderStatuses(order({ OrderCompleted: 'CompleteIncluded' }))).toEqual({
      financial_status: 'paid',
      fulfillment_status: 'shipped',
    });
    expect(orderStatuses(order({ OrderCompleted: 'CompleteDayEnd', OnHold: true }))).toEqual({
      financial_status: 'paid',
      fulfillment_status: 'shipped',
    });
    expect(orderStatuses(order({ OnHold: true, OrderPartiallyShipped: true }))).toEqual({
      financial_status: 'pending',
      fulfillment_status: 'on_hold',
    });
    expect(orderStatuses(order({ OrderPartiallyShipped: true }))).toEqual({
      financial_status: 'pending',
      fulfillment_status: 'partial',
    });
    expect(orderStatuses(order({ OrderDetails: [line({ QuantityShippedtodate: 3 })] }))).toEqual({
      financial_status: 'pending',
      fulfillment_status: 'partial',
    });
    expect(orderStatuses(order())).toEqual({
      financial_status: 'pending',
      fulfillment_status: 'unfulfilled',
    });
  });

  it('takes the original quantity when a completed order reads 0, and keeps fractional revenue exact', () => {
    expect(lineQuantity(line({ QuantityOrdered: 0, OriginalQuantityOrdered: 20 }), true)).toBe(20);
    expect(
      lineQuantity(line({ QuantityOrdered: 0, OriginalQuantityOrdered: 0, QuantityShippedtodate: 5 }), true),
    ).toBe(5);
    expect(lineQuantity(line({ QuantityOrdered: 0, OriginalQuantityOrdered: 20 }), false)).toBe(0);
    const done = mapOrder(
      order({
        OrderCompleted: 'CompleteNotIncluded',
        OrderDetails: [line({ QuantityOrdered: 0, OriginalQuantityOrdered: 20 })],
      }),
      customer,
      opts,
    );
    expect(done.ok && done.order.lines[0]).toMatchObject({ quantity: 20, price: 12.9 });
    const kg = mapOrder(
      order({ OrderDetails: [line({ QuantityOrdered: 2.5, OrderUnitPrice: 4.2 })] }),
      customer,
      opts,
    );
    expect(kg.ok && kg.order.lines[0]).toMatchObject({ quantity: 1, price: 10.5 });
  });

  it('reads the campaign id from the configured optional field or header field, never on update', () => {
    const o = order({
      OrderOptionalFields: [{ OptionalField: 'MCCAMPAIGN ', Value: ' abc123 ' }],
      OrderReference: 'cmp-9',
    });
    expect(campaignIdOf(o, undefined)).toBeUndefined();
    expect(campaignIdOf(o, 'mccampaign')).toBe('abc123');
    expect(campaignIdOf(o, 'OrderReference')).toBe('cmp-9');
    const r = mapOrder(o, customer, { includeQuotes: false, campaignField: 'MCCAMPAIGN' });
    if (!r.ok) throw new Error(r.reason);
    expect(r.order.campaign_id).toBe('abc123');
    const update = updateBody(r.order);
    expect(update).not.toHaveProperty('campaign_id');
    expect(update.customer).toEqual({ id: '1200' });
  });

  it('detects a change only in what the sync owns', () => {
    const r = mapOrder(order(), customer, opts);
    if (!r.ok) throw new Error(r.reason);
    const current = {
      ...r.order,
      _links: [],
      lines: r.order.lines.map((l) => ({ ...l, product_title: 'x' })).reverse(),
      updated_at: 'later',
    };
    expect(orderDiffers(r.order, current)).toBe(false);
    expect(orderDiffers(r.order, { ...current, financial_status: 'paid' })).toBe(true);
    expect(orderDiffers(r.order, { ...current, order_total: 1 })).toBe(true);
    expect(orderDiffers(r.order, { ...current, lines: current.lines.slice(1) })).toBe(true);
    expect(removedLineIds(r.order, current)).toEqual([]);
    const extra = {
      ...current,
      lines: [...current.lines, { id: '96', product_id: 'X', quantity: 1, price: 1 }],
    };
    expect(orderDiffers(r.order, extra)).toBe(false);
    expect(removedLineIds(r.order, extra)).toEqual(['96']);
    expect(
      orderDiffers(r.order, { ...current, lines: current.lines.map((l) => ({ ...l, quantity: 99 })) }),
    ).toBe(true);
  });
});

describe("the order's customer fitted to Mailchimp's limits", () => {
  it('cleans and cuts the company, naming the change; refuses an id over 50 characters', () => {
    const dirty = { ...customer, CustomerName: `\u202EMaple\u0000 ${'h'.repeat(400)}` } as ARCustomer;
    const r = mapOrder(order(), dirty, opts);
    if (!r.ok) throw new Error(r.reason);
    expect(r.order.customer.company).toBe(`Maple ${'h'.repeat(249)}`);
    expect(r.adjusted).toEqual([
      'customer.company: control or direction characters removed',
      'customer.company truncated to 255',
    ]);
    expect(mapOrder(order(), customer, opts)).not.toHaveProperty('adjusted');
    const longId = { ...customer, CustomerNumber: 'C'.repeat(51) } as ARCustomer;
    expect(mapOrder(order(), longId, opts)).toEqual({ ok: false, reason: 'customer-id-too-long' });
  });
});
