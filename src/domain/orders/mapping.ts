import type { ARCustomer, OEOrder, OEOrderLine } from '../../sage300/schemas.js';
import type { OrderInput, OrderLineInput, ProductInput } from '../../mailchimp/types.js';
import { chooseEmail } from '../customers/mapping.js';
import { ECOMMERCE_CUSTOMER_ID_MAX, adjustments } from '../mailchimp-limits.js';

/*
 * Sage 300 sales order (OE/OEOrders) -> Mailchimp e-commerce order. Pure functions only: no I/O, no
 * clock, so the same record always maps to the same body (replays and resyncs are idempotent).
 *
 * Identity
 * | Mailchimp               | Sage 300                                   | why                                          |
 * |-------------------------|--------------------------------------------|----------------------------------------------|
 * | order id                | OrderNumber, trimmed                       | the number people see on the order, invoice  |
 * |                         |                                            | and in Sage; assigned once, never changes,   |
 * |                         |                                            | readable in Mailchimp. OrderUniquifier is an |
 * |                         |                                            | internal surrogate (not shown anywhere, its  |
 * |                         |                                            | ordering unverified) and is only the polling |
 * |                         |                                            | cursor. Trade-off: a number reused after a   |
 * |                         |                                            | deletion would update the old order.         |
 * | line id                 | LineNumber (32, 64, ...)                   | stable per line; DetailNumber renumbers      |
 * | customer.id             | CustomerNumber, trimmed                    | same key as the customer sync                |
 * | customer.email_address  | ARCustomers Email, else ContactsEmail      | same choice rule as the customer sync, so    |
 * |                         | (trimmed)                                  | Mailchimp's click attribution matches member |
 * | customer.opt_in_status  | always false                               | an order never changes a member's consent    |
 * | customer.company        | CustomerName, fitted like the COMPANY      | controls and direction overrides removed, at |
 * |                         | merge field (mailchimp-limits.ts)          | most 255 characters                          |
 * | product id, variant id  | line UnformattedItemNumber                 | the IC key; variant = product (no variants)  |
 * | product/variant title   | line Description, else the item number     |                                              |
 * | variant sku             | line Item (formatted), else item number    |                                              |
 *
 * Amounts and dates
 * | Mailchimp             | Sage 300                                                                  |
 * |-----------------------|---------------------------------------------------------------------------|
 * | processed_at_foreign  | OrderDate                                                                 |
 * | currency_code         | OrderSourceCurrency (document currency), else OrderHomeCurrency           |
 * | order_total           | OrderTotal (includes tax and misc charges)                                |
 * | tax_total             | TotalTaxAmount                                                            |
 * | line quantity         | QuantityOrdered; on completed orders where it reads 0: OriginalQuantity-  |
 * |                       | Ordered, else QuantityShippedtodate. A fractional quantity (2.5 kg) is    |
 * |                       | sent as quantity 1 at price quantity x unit price (Mailchimp quantities   |
 * |                       | are integers; revenue stays exact).                                       |
 * | line price            | OrderUnitPrice (per order unit of measure)                                |
 * | campaign_id           | optional: the order optional field (OrderOptionalFields) or header field  |
 * |                       | named by SYNC_ORDER_CAMPAIGN_FIELD; sent on create only, never on update  |
 *
 * Status (first matching row wins)
 * | Sage 300 state                                           | financial_status | fulfillment_status |
 * |----------------------------------------------------------|------------------|--------------------|
 * | OrderCompleted Complete* (CompleteNotIncluded,           | paid             | shipped            |
 * |   CompleteIncluded, CompleteDayEnd): shipped + invoiced  |                  |                    |
 * | OnHold true                                              | pending          | on_hold            |
 * | OrderPartiallyShipped true, or a line shipped to date    | pending          | partial            |
 * | otherwise (open)                                         | pending          | unfulfilled        |
 * Mailchimp order notifications fire on `pending` (confirmation), `paid` and `shipped`; the other
 * fulfillment values are informational and fire nothing.
 *
 * Not sent (with the reason recorded in the job's audit: customer-missing and no-valid-email as
 * `failed`, so a replay sends them once the customer is fixed in Sage; the others as `skipped`)
 * | reason            | when                                                                         |
 * |-------------------|------------------------------------------------------------------------------|
 * | quote             | OrderType Quote (unless SYNC_ORDER_INCLUDE_QUOTES=true)                      |
 * | no-order-number   | OrderNumber blank                                                            |
 * | customer-missing  | the order's customer is not in ARCustomers                                   |
 * | no-valid-email    | the customer has neither a valid Email nor a valid ContactsEmail             |
 * | no-item-lines     | no item line with a quantity (misc-charge-only orders)                       |
 * | no-currency       | neither OrderSourceCurrency nor OrderHomeCurrency                            |
 * And `customer-id-too-long`: a CustomerNumber over Mailchimp's 50-character customer id (never cut:
 * two customers could become one).
 * Miscellaneous charge lines (LineType Miscellaneous: freight, handling, setup) are not products a
 * customer chose, so they are not sent as lines (they would pollute product recommendations and
 * "purchased product" segments); their amounts stay in order_total.
 */

export type SageOrder = OEOrder;

export type OrderSkipReason =
  | 'quote'
  | 'no-order-number'
  | 'customer-missing'
  | 'no-valid-email'
  | 'customer-id-too-long'
  | 'no-item-lines'
  | 'no-currency';

export interface OrderMappingOptions {
  includeQuotes: boolean;
  /** Name of an order optional field or header field holding a Mailchimp campaign id. */
  campaignField?: string;
}

/** The e-commerce customer carried inline by the order: Mailchimp creates or updates it from there. */
export interface OrderCustomer {
  id: string;
  email_address: string;
  opt_in_status: false;
  company?: string;
  first_name?: string;
  last_name?: string;
}

export type MappedOrderBody = Omit<OrderInput, 'customer'> & { customer: OrderCustomer };

export type OrderMapResult =
  /** `adjusted`: what was changed to fit Mailchimp's limits (src/domain/mailchimp-limits.ts). */
  | { ok: true; order: MappedOrderBody; products: ProductInput[]; adjusted?: string[] }
  | { ok: false; reason: OrderSkipReason };

const COMPLETED = new Set(['CompleteNotIncluded', 'CompleteIncluded', 'CompleteDayEnd']);

/**
 * The customer sync's rule (first valid of Email, ContactsEmail, trimmed), shared so the order's
 * customer email is the member's email: Mailchimp credits campaign revenue through that match.
 */
export function chooseCustomerEmail(c: Pick<ARCustomer, 'Email' | 'ContactsEmail'>): string | undefined {
  const choice = chooseEmail(c);
  return choice.ok ? choice.email : undefined;
}

export function orderId(order: Pick<SageOrder, 'OrderNumber'>): string | undefined {
  const id = order.OrderNumber?.trim();
  return id ? id : undefined;
}

export function isCompleted(order: Pick<SageOrder, 'OrderCompleted'>): boolean {
  return COMPLETED.has(order.OrderCompleted ?? '');
}

/** Whether the order must be looked at again in later runs (its status can still change). */
export function isOpen(order: Pick<SageOrder, 'OrderCompleted'>): boolean {
  return !isCompleted(order);
}

export function orderStatuses(
  order: Pick<SageOrder, 'OrderCompleted' | 'OnHold' | 'OrderPartiallyShipped' | 'OrderDetails'>,
): { financial_status: string; fulfillment_status: string } {
  if (isCompleted(order)) return { financial_status: 'paid', fulfillment_status: 'shipped' };
  if (order.OnHold) return { financial_status: 'pending', fulfillment_status: 'on_hold' };
  const shippedSome = (order.OrderDetails ?? []).some((l) => (l.QuantityShippedtodate ?? 0) > 0);
  if (order.OrderPartiallyShipped || shippedSome)
    return { financial_status: 'pending', fulfillment_status: 'partial' };
  return { financial_status: 'pending', fulfillment_status: 'unfulfilled' };
}

export function lineQuantity(line: OEOrderLine, completed: boolean): number {
  const ordered = line.QuantityOrdered ?? 0;
  if (ordered !== 0 || !completed) return ordered;
  // Sage zeroes QuantityOrdered on completed/shipped lines; the original quantity is what was bought.
  return line.OriginalQuantityOrdered || line.QuantityShippedtodate || 0;
}

function round(n: number, places: number): number {
  const f = 10 ** places;
  return Math.round(n * f) / f;
}

export function isItemLine(line: OEOrderLine): boolean {
  return (line.LineType ?? 'Item') !== 'Miscellaneous' && Boolean(line.UnformattedItemNumber?.trim());
}

export function mapOrderLine(line: OEOrderLine, completed: boolean): OrderLineInput | undefined {
  if (!isItemLine(line) || line.LineNumber === undefined) return undefined;
  const item = line.UnformattedItemNumber!.trim();
  const quantity = lineQuantity(line, completed);
  if (!(quantity > 0)) return undefined;
  const unitPrice = line.OrderUnitPrice ?? 0;
  const whole = Number.isInteger(quantity);
  return {
    id: String(line.LineNumber),
    product_id: item,
    product_variant_id: item,
    quantity: whole ? quantity : 1,
    price: whole ? unitPrice : round(quantity * unitPrice, 4),
  };
}

export function mapProduct(line: OEOrderLine): ProductInput | undefined {
  if (!isItemLine(line)) return undefined;
  const item = line.UnformattedItemNumber!.trim();
  const title = line.Description?.trim() || item;
  const sku = line.Item?.trim() || item;
  return { id: item, title, variants: [{ id: item, title, sku }] };
}

/** Distinct products of a set of orders, first occurrence wins (deterministic order). */
export function productsOf(orders: readonly SageOrder[]): ProductInput[] {
  const seen = new Map<string, ProductInput>();
  for (const order of orders)
    for (const line of order.OrderDetails ?? []) {
      const p = mapProduct(line);
      if (p && !seen.has(p.id)) seen.set(p.id, p);
    }
  return [...seen.values()];
}

export function campaignIdOf(order: SageOrder, field: string | undefined): string | undefined {
  if (!field) return undefined;
  const wanted = field.trim().toUpperCase();
  const optional = (order.OrderOptionalFields ?? []).find(
    (f) => f.OptionalField?.trim().toUpperCase() === wanted,
  );
  const raw = optional ? optional.Value : (order as Record<string, unknown>)[field.trim()];
  const value = typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? String(raw) : '';
  return value || undefined;
}

/** The order's inline customer with what was changed to fit Mailchimp, or why it cannot be sent. */
export function mapCustomer(
  customer: ARCustomer,
): { customer: OrderCustomer; adjusted: string[] } | { reason: 'no-valid-email' | 'customer-id-too-long' } {
  const email = chooseCustomerEmail(customer);
  if (!email) return { reason: 'no-valid-email' };
  const id = customer.CustomerNumber.trim();
  if ([...id].length > ECOMMERCE_CUSTOMER_ID_MAX) return { reason: 'customer-id-too-long' };
  const out: OrderCustomer = { id, email_address: email, opt_in_status: false };
  const fix = adjustments();
  const company = fix.fitTo('customer.company', customer.CustomerName ?? '');
  if (company) out.company = company;
  return { customer: out, adjusted: fix.list };
}

/**
 * One Sage order (with its customer, looked up by the caller) to the body of an e-commerce order.
 * `customer` undefined means the order's customer number is not in ARCustomers.
 */
export function mapOrder(
  order: SageOrder,
  customer: ARCustomer | undefined,
  options: OrderMappingOptions,
): OrderMapResult {
  if (order.OrderType === 'Quote' && !options.includeQuotes) return { ok: false, reason: 'quote' };
  const id = orderId(order);
  if (!id) return { ok: false, reason: 'no-order-number' };
  if (!customer) return { ok: false, reason: 'customer-missing' };
  const mappedCustomer = mapCustomer(customer);
  if ('reason' in mappedCustomer) return { ok: false, reason: mappedCustomer.reason };
  const { adjusted } = mappedCustomer;
  const currency = (order.OrderSourceCurrency || order.OrderHomeCurrency)?.trim().toUpperCase();
  if (!currency) return { ok: false, reason: 'no-currency' };

  const completed = isCompleted(order);
  const details = order.OrderDetails ?? [];
  const lines = details
    .map((l) => mapOrderLine(l, completed))
    .filter((l): l is OrderLineInput => l !== undefined);
  if (lines.length === 0) return { ok: false, reason: 'no-item-lines' };
  const products = productsOf([
    { ...order, OrderDetails: details.filter((l) => mapOrderLine(l, completed)) },
  ]);

  const body: MappedOrderBody = {
    id,
    customer: mappedCustomer.customer,
    currency_code: currency,
    order_total: order.OrderTotal ?? 0,
    tax_total: order.TotalTaxAmount ?? 0,
    lines,
    ...orderStatuses(order),
  };
  if (order.OrderDate) body.processed_at_foreign = order.OrderDate;
  const campaign = campaignIdOf(order, options.campaignField);
  if (campaign) body.campaign_id = campaign;
  return { ok: true, order: body, products, ...(adjusted.length > 0 ? { adjusted } : {}) };
}

/** What an update sends: everything but the attribution (past campaign revenue never moves). */
export function updateBody(order: MappedOrderBody): Omit<MappedOrderBody, 'campaign_id' | 'customer'> & {
  customer: { id: string };
} {
  const { campaign_id: _campaign, customer, ...rest } = order;
  void _campaign;
  return { ...rest, customer: { id: customer.id } };
}

const near = (a: number | undefined, b: number | undefined) => Math.abs((a ?? 0) - (b ?? 0)) < 0.0005;

/**
 * True when the store's copy of an order differs from the mapped body in what the sync owns:
 * statuses, totals, currency and the mapped lines. Anything else Mailchimp adds (links, timestamps,
 * promos it computed) is ignored, so a resync of an unchanged order sends nothing. Lines the store
 * has beyond the mapped ones are reported by `removedLineIds` (a PATCH cannot remove them).
 */
export function orderDiffers(mapped: MappedOrderBody, current: Record<string, unknown>): boolean {
  if (mapped.financial_status !== current.financial_status) return true;
  if (mapped.fulfillment_status !== current.fulfillment_status) return true;
  if (mapped.currency_code !== current.currency_code) return true;
  if (!near(mapped.order_total, current.order_total as number | undefined)) return true;
  if (!near(mapped.tax_total, current.tax_total as number | undefined)) return true;
  const currentLines = Array.isArray(current.lines) ? (current.lines as Record<string, unknown>[]) : [];
  const byId = new Map(currentLines.map((l) => [String(l.id), l]));
  return mapped.lines.some((line) => {
    const other = byId.get(line.id);
    return (
      !other ||
      other.product_id !== line.product_id ||
      other.product_variant_id !== line.product_variant_id ||
      !near(other.quantity as number | undefined, line.quantity) ||
      !near(other.price as number | undefined, line.price)
    );
  });
}

/** Lines of the store's copy that the Sage order no longer has (deleted in Sage, or now misc). */
export function removedLineIds(mapped: MappedOrderBody, current: Record<string, unknown>): string[] {
  const wanted = new Set(mapped.lines.map((l) => l.id));
  const currentLines = Array.isArray(current.lines) ? (current.lines as Record<string, unknown>[]) : [];
  return currentLines.map((l) => String(l.id)).filter((id) => !wanted.has(id));
}

/** A day as `YYYY-MM-DD` from an ISO date string (Sage dates are day precision, Z midnight). */
export function dayOf(isoDate: string): string {
  return new Date(isoDate).toISOString().slice(0, 10);
}
