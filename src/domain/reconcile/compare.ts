import type { StoreOrderSummary } from '../../mailchimp/types.js';
import { differingFields, isCancelled, sageSide, storeSide, type SageOrderView } from './sides.js';
import {
  MAX_LISTED_DIFFERENCES,
  type DayRow,
  type DaySide,
  type OrderDifference,
  type OrderSide,
  type ReconcileCounts,
} from './types.js';

/** Inclusive YYYY-MM-DD bounds; no `to`: up to the latest order. */
export interface ReconcilePeriod {
  from: string;
  to?: string;
}

export function inPeriod(day: string, period: ReconcilePeriod): boolean {
  return day !== '' && day >= period.from && (!period.to || day <= period.to);
}

/** Sums of amounts carry float noise (0.1 + 0.2); four decimals keep every currency exact. */
const tidy = (n: number) => Math.round(n * 10_000) / 10_000;

const byDayThenId = (a: OrderDifference, b: OrderDifference) => {
  const da = (a.sage ?? a.mailchimp)!.day;
  const db = (b.sage ?? b.mailchimp)!.day;
  return da < db ? -1 : da > db ? 1 : a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0;
};

/**
 * The comparison of one period, fed the whole store first (every order, any day: an order whose
 * date changed is still matched by id), then Sage's orders of the period, then whatever Sage says
 * about the store orders left unmatched. Pure: the activity does the reading.
 */
export class OrderReconciliation {
  private readonly store = new Map<string, StoreOrderSummary>();
  private readonly matched = new Set<string>();
  private readonly rows = new Map<string, DayRow>();
  private readonly differences: OrderDifference[] = [];
  readonly counts: ReconcileCounts = {
    sageOrders: 0,
    sageSkipped: 0,
    mailchimpOrders: 0,
    mailchimpCancelled: 0,
    missing: 0,
    gone: 0,
    different: 0,
  };

  constructor(private readonly period: ReconcilePeriod) {}

  /** A store order; counted in its day when the period holds it and it is not cancelled. */
  addStoreOrder(o: StoreOrderSummary): void {
    // Offset paging over a store being written can return an order twice.
    if (this.store.has(o.id)) return;
    this.store.set(o.id, o);
    const side = storeSide(o);
    if (!inPeriod(side.day, this.period)) return;
    if (isCancelled(o)) {
      this.counts.mailchimpCancelled++;
      return;
    }
    this.counts.mailchimpOrders++;
    add(this.row(side).mailchimp, side.total);
  }

  /** A Sage order of the period that the sync does not send (it is not revenue the store should have). */
  skipSageOrder(): void {
    this.counts.sageSkipped++;
  }

  /**
   * A Sage order the sync sends: read for the period, or found by number for a store order left
   * unmatched (then usually dated outside the period: only the store's day is in the table).
   */
  addSageOrder({ key, orderId, body }: SageOrderView): void {
    const sage = sageSide(body);
    if (inPeriod(sage.day, this.period)) {
      this.counts.sageOrders++;
      add(this.row(sage).sage, sage.total);
    }
    const stored = this.store.get(orderId);
    if (this.matched.has(orderId)) {
      // Two Sage orders under one number: the store holds one of them.
      const reason = 'order number used by more than one Sage order';
      this.differ({
        kind: 'different',
        orderId,
        key,
        reason,
        sage,
        ...(stored ? { mailchimp: storeSide(stored) } : {}),
      });
      return;
    }
    this.matched.add(orderId);
    if (!stored) {
      this.differ({ kind: 'missing', orderId, key, sage });
      return;
    }
    const fields = differingFields(body, stored);
    if (fields.length > 0)
      this.differ({ kind: 'different', orderId, key, fields, sage, mailchimp: storeSide(stored) });
  }

  /** Store orders of the period, not cancelled, that no Sage order has matched yet. */
  unmatched(): string[] {
    const out: string[] = [];
    for (const [id, o] of this.store) {
      if (!this.matched.has(id) && !isCancelled(o) && inPeriod(storeSide(o).day, this.period)) out.push(id);
    }
    return out;
  }

  /** A store order Sage no longer has as an order the sync sends. */
  gone(orderId: string, reason: string): void {
    const stored = this.store.get(orderId);
    if (!stored || this.matched.has(orderId)) return;
    this.matched.add(orderId);
    this.differ({ kind: 'gone', orderId, reason, mailchimp: storeSide(stored) });
  }

  result(): { days: DayRow[]; counts: ReconcileCounts; differences: OrderDifference[]; truncated: boolean } {
    const days = [...this.rows.values()]
      .map((r) => ({
        ...r,
        sage: { orders: r.sage.orders, revenue: tidy(r.sage.revenue) },
        mailchimp: { orders: r.mailchimp.orders, revenue: tidy(r.mailchimp.revenue) },
      }))
      .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.currency < b.currency ? -1 : 1));
    const differences = [...this.differences].sort(byDayThenId);
    return {
      days,
      counts: { ...this.counts },
      differences: differences.slice(0, MAX_LISTED_DIFFERENCES),
      truncated: differences.length > MAX_LISTED_DIFFERENCES,
    };
  }

  /** Counted against each day (and currency) of the period either copy of the order falls in. */
  private differ(d: OrderDifference): void {
    this.counts[d.kind]++;
    this.differences.push(d);
    const rows = new Set<DayRow>();
    for (const side of [d.sage, d.mailchimp]) {
      if (side && inPeriod(side.day, this.period)) rows.add(this.row(side));
    }
    for (const row of rows) row.differences++;
  }

  private row(side: Pick<OrderSide, 'day' | 'currency'>): DayRow {
    const id = `${side.day} ${side.currency}`;
    let row = this.rows.get(id);
    if (!row) {
      row = { day: side.day, currency: side.currency, sage: zero(), mailchimp: zero(), differences: 0 };
      this.rows.set(id, row);
    }
    return row;
  }
}

const zero = (): DaySide => ({ orders: 0, revenue: 0 });

function add(side: DaySide, amount: number): void {
  side.orders++;
  side.revenue += amount;
}
