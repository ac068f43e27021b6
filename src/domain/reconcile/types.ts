/**
 * What a reconciliation of a company's orders finds: a per-day table (one row per day and currency,
 * Sage beside the Mailchimp store) and the orders that differ. It travels through workflow history
 * as the comparison activity's result and the reconciliation job's result, so it stays bounded: the
 * table has one row per day with orders, and at most MAX_LISTED_DIFFERENCES orders are listed.
 */

/** Listed differing orders at most; beyond it `truncated` is set and a key-by-key repair is refused. */
export const MAX_LISTED_DIFFERENCES = 1000;

/**
 * - missing: Sage has the order (one the sync sends), the store has not;
 * - gone: the store has it (not cancelled), Sage no longer has an order the sync would send under
 *   that number (deleted, purged, turned into a quote, left without item lines);
 * - different: both have it, and the store's copy is not what the sync would send now.
 */
export type DifferenceKind = 'missing' | 'gone' | 'different';

/** What differs between both copies of an order (`lines`: their number or content). */
export type DifferingField = 'day' | 'currency' | 'total' | 'tax' | 'status' | 'lines';

/** One side of an order as the reconciliation compares it. */
export interface OrderSide {
  /** YYYY-MM-DD: Sage's OrderDate, the store's processed_at_foreign (empty when it has none). */
  day: string;
  currency: string;
  total: number;
  /** `financial_status/fulfillment_status`, e.g. `paid/shipped`; the store's `cancelled` shows here. */
  status: string;
  lines: number;
}

export interface OrderDifference {
  kind: DifferenceKind;
  /** The Mailchimp order id: Sage's OrderNumber, trimmed. */
  orderId: string;
  /** Sage's OrderUniquifier, the key a repair re-reads the order by (absent when Sage has no order). */
  key?: number;
  fields?: DifferingField[];
  /** Why an order is gone (`not in Sage`, or the reason the sync skips it now). */
  reason?: string;
  sage?: OrderSide;
  mailchimp?: OrderSide;
}

export interface DaySide {
  orders: number;
  /** Sum of order_total as the connector sends it (tax and miscellaneous charges included). */
  revenue: number;
}

/** One day and currency: Sage's orders beside the store's; `differences` counts the orders that differ. */
export interface DayRow {
  day: string;
  currency: string;
  sage: DaySide;
  mailchimp: DaySide;
  differences: number;
}

export interface ReconcileCounts {
  /** Sage orders of the period the sync sends. */
  sageOrders: number;
  /** Sage orders of the period the sync skips (no order number, no item line, no currency). */
  sageSkipped: number;
  /** Store orders of the period, cancelled ones excluded. */
  mailchimpOrders: number;
  /** Store orders of the period marked cancelled: not revenue, never a difference on their own. */
  mailchimpCancelled: number;
  missing: number;
  gone: number;
  different: number;
}

/** What the comparison activity returns. */
export interface OrderComparison {
  storeId: string;
  /** Inclusive YYYY-MM-DD bounds of the period compared (by Sage OrderDate / processed_at_foreign). */
  from: string;
  to?: string;
  /** SYNC_RECONCILE_GONE when the comparison ran: what a repair does with `gone` orders. */
  gonePolicy: GonePolicy;
  /** False when the store does not exist yet (every Sage order is then missing). */
  storeExists: boolean;
  days: DayRow[];
  counts: ReconcileCounts;
  /** Sorted by day, then order id; at most MAX_LISTED_DIFFERENCES. */
  differences: OrderDifference[];
  truncated: boolean;
}

export type GonePolicy = 'cancel' | 'report';
