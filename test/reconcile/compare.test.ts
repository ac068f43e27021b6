import { describe, expect, it } from '@jest/globals';
import type { StoreOrderSummary } from '../../src/mailchimp/types.js';
import type { SageOrder } from '../../src/domain/orders/mapping.js';
import { OrderReconciliation } from '../../src/domain/reconcile/compare.js';
import { sageView } from '../../src/domain/reconcile/sides.js';
import { repairPlan } from '../../src/domain/reconcile/repair.js';
import { MAX_LISTED_DIFFERENCES } from '../../src/domain/reconcile/types.js';
import { daysCsv, formatReport } from '../../src/cli/reconcile-report.js';
import type { ReconcileResult } from '../../src/workflows/reconcile-job.js';

const options = { includeQuotes: false };

function sageOrder(n: number, day: string, total: number, extra: Partial<SageOrder> = {}): SageOrder {
  return {
    OrderUniquifier: 41000 + n,
    OrderNumber: `ORD${String(n).padStart(6, '0')}  `,
    CustomerNumber: 'C1',
    OrderType: 'Active',
    OrderDate: `${day}T00:00:00Z`,
    OrderCompleted: 'IncompleteNotIncluded',
    OrderSourceCurrency: 'USD',
    OrderTotal: total,
    TotalTaxAmount: 0,
    OrderDetails: [
      {
        LineNumber: 32,
        LineType: 'Item',
        UnformattedItemNumber: 'A1',
        QuantityOrdered: 1,
        OrderUnitPrice: total,
      },
    ],
    ...extra,
  } as SageOrder;
}

/** The store's copy of a Sage order exactly as the sync sends it. */
function stored(order: SageOrder, patch: Partial<StoreOrderSummary> = {}): StoreOrderSummary {
  const mapped = sageView(order, options);
  if (!mapped.ok) throw new Error(mapped.reason);
  const { body } = mapped.view;
  return {
    id: body.id,
    processed_at_foreign: body.processed_at_foreign!.replace('Z', '+00:00'),
    currency_code: body.currency_code,
    order_total: body.order_total,
    tax_total: body.tax_total,
    financial_status: body.financial_status,
    fulfillment_status: body.fulfillment_status,
    lines: body.lines.map((l) => ({ ...l })),
    ...patch,
  };
}

function view(order: SageOrder) {
  const mapped = sageView(order, options);
  if (!mapped.ok) throw new Error(mapped.reason);
  return mapped.view;
}

function asResult(rec: OrderReconciliation): ReconcileResult {
  return {
    jobId: 'reconcile-orders-SAMINC-manual-2026-11-28T10:15:00Z',
    company: 'SAMINC',
    trigger: 'manual',
    repair: false,
    startedAt: '2026-11-28T10:15:00.000Z',
    finishedAt: '2026-11-28T10:15:02.000Z',
    storeId: 'sage300-saminc',
    from: '2026-10-01',
    to: '2026-10-31',
    gonePolicy: 'cancel',
    storeExists: true,
    ...rec.result(),
  };
}

describe('OrderReconciliation', () => {
  const period = { from: '2026-10-01', to: '2026-10-31' };

  it('equal copies give equal days, summed per day and currency without float noise', () => {
    const rec = new OrderReconciliation(period);
    const orders = [
      sageOrder(1, '2026-10-05', 0.1),
      sageOrder(2, '2026-10-05', 0.2),
      sageOrder(3, '2026-10-05', 7, { OrderSourceCurrency: 'CAD' }),
      sageOrder(4, '2026-10-06', 12.5),
    ];
    for (const o of orders) rec.addStoreOrder(stored(o));
    for (const o of orders) rec.addSageOrder(view(o));
    expect(rec.unmatched()).toEqual([]);
    const r = rec.result();
    expect(r.differences).toEqual([]);
    expect(r.days).toEqual([
      {
        day: '2026-10-05',
        currency: 'CAD',
        sage: { orders: 1, revenue: 7 },
        mailchimp: { orders: 1, revenue: 7 },
        differences: 0,
      },
      {
        day: '2026-10-05',
        currency: 'USD',
        sage: { orders: 2, revenue: 0.3 },
        mailchimp: { orders: 2, revenue: 0.3 },
        differences: 0,
      },
      {
        day: '2026-10-06',
        currency: 'USD',
        sage: { orders: 1, revenue: 12.5 },
        mailchimp: { orders: 1, revenue: 12.5 },
        differences: 0,
      },
    ]);
  });

  it('names what differs by the sync’s own rule, counts a moved order on both days, and ignores cancelled store orders', () => {
    const rec = new OrderReconciliation(period);
    const total = sageOrder(1, '2026-10-05', 100);
    const moved = sageOrder(2, '2026-10-07', 50);
    const currency = sageOrder(3, '2026-10-08', 30);
    const cancelledGone = sageOrder(4, '2026-10-09', 40);
    const extraLine = sageOrder(5, '2026-10-10', 20);
    rec.addStoreOrder(stored(total, { order_total: 90 }));
    rec.addStoreOrder(stored(moved, { processed_at_foreign: '2026-10-06T00:00:00+00:00' }));
    rec.addStoreOrder(stored(currency, { currency_code: 'EUR' }));
    rec.addStoreOrder(stored(cancelledGone, { financial_status: 'cancelled' }));
    const withExtra = stored(extraLine);
    rec.addStoreOrder({
      ...withExtra,
      lines: [
        ...withExtra.lines!,
        { id: '64', product_id: 'B2', product_variant_id: 'B2', quantity: 1, price: 0 },
      ],
    });
    for (const o of [total, moved, currency, extraLine]) rec.addSageOrder(view(o));
    expect(rec.unmatched()).toEqual([]);
    const r = rec.result();
    expect(r.differences.map((d) => [d.kind, d.orderId, d.fields])).toEqual([
      ['different', 'ORD000001', ['total']],
      ['different', 'ORD000002', ['day']],
      ['different', 'ORD000003', ['currency']],
      ['different', 'ORD000005', ['lines']],
    ]);
    const day = (d: string, c = 'USD') => r.days.find((x) => x.day === d && x.currency === c);
    expect(day('2026-10-06')).toMatchObject({
      sage: { orders: 0 },
      mailchimp: { orders: 1, revenue: 50 },
      differences: 1,
    });
    expect(day('2026-10-07')).toMatchObject({
      sage: { orders: 1, revenue: 50 },
      mailchimp: { orders: 0 },
      differences: 1,
    });
    expect(day('2026-10-08', 'EUR')).toMatchObject({ mailchimp: { orders: 1 }, differences: 1 });
    expect(day('2026-10-09')).toBeUndefined();
    expect(r.counts).toMatchObject({
      different: 4,
      mailchimpCancelled: 1,
      sageOrders: 4,
      mailchimpOrders: 4,
    });
  });

  it('missing and gone orders; a store order Sage has under a date outside the period is compared, not gone', () => {
    const rec = new OrderReconciliation(period);
    const missing = sageOrder(1, '2026-10-05', 10);
    const gone = sageOrder(2, '2026-10-05', 20);
    const redated = sageOrder(3, '2026-10-06', 30);
    rec.addStoreOrder(stored(gone));
    rec.addStoreOrder(stored(redated));
    rec.addStoreOrder(stored(sageOrder(9, '2026-09-01', 5))); // before the period: not compared
    rec.addSageOrder(view(missing));
    expect(rec.unmatched().sort()).toEqual(['ORD000002', 'ORD000003']);
    // What the activity learns by looking those numbers up in Sage.
    rec.addSageOrder(view({ ...redated, OrderDate: '2026-11-02T00:00:00Z' }));
    rec.gone('ORD000002', 'not in Sage');
    rec.gone('ORD000003', 'not in Sage'); // already matched: ignored
    const r = rec.result();
    expect(r.differences).toEqual([
      {
        kind: 'missing',
        orderId: 'ORD000001',
        key: 41001,
        sage: { day: '2026-10-05', currency: 'USD', total: 10, status: 'pending/unfulfilled', lines: 1 },
      },
      {
        kind: 'gone',
        orderId: 'ORD000002',
        reason: 'not in Sage',
        mailchimp: { day: '2026-10-05', currency: 'USD', total: 20, status: 'pending/unfulfilled', lines: 1 },
      },
      expect.objectContaining({ kind: 'different', orderId: 'ORD000003', key: 41003, fields: ['day'] }),
    ]);
    expect(r.days.find((d) => d.day === '2026-10-05')).toMatchObject({
      sage: { orders: 1, revenue: 10 },
      mailchimp: { orders: 1, revenue: 20 },
      differences: 2,
    });
    expect(r.days.some((d) => d.day === '2026-11-02' || d.day === '2026-09-01')).toBe(false);
    expect(repairPlan(r)).toEqual({ resend: [41001, 41003], gone: ['ORD000002'] });
  });

  it('lists at most MAX_LISTED_DIFFERENCES orders and says so', () => {
    const rec = new OrderReconciliation(period);
    for (let n = 1; n <= MAX_LISTED_DIFFERENCES + 5; n++)
      rec.addSageOrder(view(sageOrder(n, '2026-10-05', 1)));
    const r = rec.result();
    expect(r.truncated).toBe(true);
    expect(r.differences).toHaveLength(MAX_LISTED_DIFFERENCES);
    expect(r.counts.missing).toBe(MAX_LISTED_DIFFERENCES + 5);
    expect(r.days).toEqual([
      {
        day: '2026-10-05',
        currency: 'USD',
        sage: { orders: MAX_LISTED_DIFFERENCES + 5, revenue: MAX_LISTED_DIFFERENCES + 5 },
        mailchimp: { orders: 0, revenue: 0 },
        differences: MAX_LISTED_DIFFERENCES + 5,
      },
    ]);
  });
});

describe('the report', () => {
  const rec = new OrderReconciliation({ from: '2026-10-01', to: '2026-10-31' });
  const a = sageOrder(1, '2026-10-05', 100);
  const b = sageOrder(2, '2026-10-06', 0.125);
  rec.addStoreOrder(stored(a, { order_total: 90 }));
  rec.addStoreOrder(stored(b));
  rec.addSageOrder(view(a));
  rec.addSageOrder(view(b));
  const result = asResult(rec);

  it('marks the days that differ, in bold red only when asked (a terminal)', () => {
    const plain = formatReport(result, false);
    expect(plain.find((l) => l.startsWith('2026-10-05'))).toMatch(
      /USD +1 +100\.00 +1 +90\.00 +-10\.00 +DIFFERS \(1 order\)$/,
    );
    expect(plain.find((l) => l.startsWith('2026-10-06'))).toMatch(/0\.125 +1 +0\.125 +0\.00 +equal$/);
    expect(plain.join('\n')).not.toContain('\u001b[');
    expect(plain).toContain(
      '1 of 2 day(s) differ: 0 missing, 0 gone from Sage, 1 different (Sage 2 order(s), store 2)',
    );
    expect(
      plain.some((l) =>
        /different +ORD000001 +2026-10-05 +Sage: USD 100\.00 .*Mailchimp: USD 90\.00 .*total/.test(l),
      ),
    ).toBe(true);
    const colored = formatReport(result, true);
    const marked = colored.find((l) => l.includes('2026-10-05'))!;
    expect(marked.startsWith('\u001b[1;31m2026-10-05')).toBe(true);
    expect(marked.endsWith('\u001b[0m')).toBe(true);
    expect(colored.find((l) => l.startsWith('2026-10-06'))).toBeDefined();
  });

  it('writes the per-day table as CSV for finance', () => {
    expect(daysCsv(result)).toBe(
      'day,currency,sage_orders,sage_revenue,mailchimp_orders,mailchimp_revenue,revenue_difference,differing_orders,status\n' +
        '2026-10-05,USD,1,100.00,1,90.00,-10.00,1,differs\n' +
        '2026-10-06,USD,1,0.125,1,0.125,0.00,0,equal\n',
    );
  });
});
