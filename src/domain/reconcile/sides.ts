import { arCustomerSchema } from '../../sage300/schemas.js';
import type { StoreOrderSummary } from '../../mailchimp/types.js';
import {
  dayOf,
  mapOrder,
  orderDiffers,
  removedLineIds,
  type MappedOrderBody,
  type OrderMappingOptions,
  type OrderSkipReason,
  type SageOrder,
} from '../orders/mapping.js';
import type { DifferingField, OrderSide } from './types.js';

/**
 * The customer decides only whether Mailchimp accepts an order (the sync records an order whose
 * customer has no valid address as failed; a replay sends it once fixed), never its day, amounts,
 * currency, status or lines. So the Sage side is the sync's own mapping with this stand-in customer:
 * such an order counts as Sage revenue that the store lacks, which is what it is.
 */
const ANY_CUSTOMER = arCustomerSchema.parse({
  CustomerNumber: 'RECONCILE',
  Email: 'reconcile@example.com',
});

/** A Sage order as the sync would send it. */
export interface SageOrderView {
  key: number;
  orderId: string;
  body: MappedOrderBody;
}

/** The fields of a store order the comparison reads (`fields=` of the listing). */
export const STORE_ORDER_FIELDS = [
  'id',
  'processed_at_foreign',
  'cancelled_at_foreign',
  'currency_code',
  'order_total',
  'tax_total',
  'financial_status',
  'fulfillment_status',
  'lines.id',
  'lines.product_id',
  'lines.product_variant_id',
  'lines.quantity',
  'lines.price',
] as const;

/** The order as the sync maps it, or why the sync does not send it (quotes, no item lines...). */
export function sageView(
  order: SageOrder,
  options: OrderMappingOptions,
): { ok: true; view: SageOrderView } | { ok: false; reason: OrderSkipReason } {
  const mapped = mapOrder(order, ANY_CUSTOMER, options);
  if (!mapped.ok) return mapped;
  return { ok: true, view: { key: order.OrderUniquifier, orderId: mapped.order.id, body: mapped.order } };
}

const dayOrEmpty = (date: string | undefined) => (date && !Number.isNaN(Date.parse(date)) ? dayOf(date) : '');

export function sageSide(body: MappedOrderBody): OrderSide {
  return {
    day: dayOrEmpty(body.processed_at_foreign),
    currency: body.currency_code,
    total: body.order_total,
    status: `${body.financial_status}/${body.fulfillment_status}`,
    lines: body.lines.length,
  };
}

/** Cancelled in Mailchimp: not revenue (a status or a cancellation date both say so). */
export function isCancelled(o: StoreOrderSummary): boolean {
  return o.financial_status === 'cancelled' || Boolean(o.cancelled_at_foreign);
}

export function storeSide(o: StoreOrderSummary): OrderSide {
  return {
    day: dayOrEmpty(o.processed_at_foreign),
    currency: o.currency_code ?? '',
    total: o.order_total ?? 0,
    status: `${o.financial_status ?? ''}/${o.fulfillment_status ?? ''}`,
    lines: o.lines?.length ?? 0,
  };
}

/** Each field the sync compares, with the store fields that hold it. */
const SYNC_COMPARED: ReadonlyArray<[DifferingField, readonly string[]]> = [
  ['currency', ['currency_code']],
  ['total', ['order_total']],
  ['tax', ['tax_total']],
  ['status', ['financial_status', 'fulfillment_status']],
  ['lines', ['lines']],
];

/**
 * What differs between the store's copy and what the sync would send. The sync's own rule decides
 * (`orderDiffers`, `removedLineIds`: exactly the orders an order job would update), asked one field
 * at a time to say which; the day is compared besides, because it moves revenue between days.
 */
export function differingFields(body: MappedOrderBody, stored: StoreOrderSummary): DifferingField[] {
  const asSent: Record<string, unknown> = {
    currency_code: body.currency_code,
    order_total: body.order_total,
    tax_total: body.tax_total,
    financial_status: body.financial_status,
    fulfillment_status: body.fulfillment_status,
    lines: body.lines,
  };
  const fields: DifferingField[] = [];
  if (dayOrEmpty(body.processed_at_foreign) !== dayOrEmpty(stored.processed_at_foreign)) fields.push('day');
  for (const [field, keys] of SYNC_COMPARED) {
    const probe = { ...asSent, ...Object.fromEntries(keys.map((k) => [k, stored[k]])) };
    if (orderDiffers(body, probe)) fields.push(field);
  }
  if (!fields.includes('lines') && removedLineIds(body, stored).length > 0) fields.push('lines');
  return fields;
}
