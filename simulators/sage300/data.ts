import {
  buildOrder,
  completeOrderRow,
  customerKey,
  itemKey,
  makeCustomer,
  makeItem,
  makeOrder,
  orderKey,
  withSharedEmail,
  sageDate,
  type OrderLineInput,
  type SeedCounts,
} from './generate.js';
import { LazyTable, type Key, type Row } from './table.js';

const DAY = 86_400_000;

function dayOf(d: string | Date | number): number {
  const ms = typeof d === 'number' ? d : typeof d === 'string' ? Date.parse(d) : d.getTime();
  if (Number.isNaN(ms)) throw new Error(`not a date: ${String(d)}`);
  return Math.floor(ms / DAY) * DAY;
}

/** The simulator's company database, changed by tests the way a Sage user would change it. */
export class Sage300Data {
  readonly tables: { ARCustomers: LazyTable; OEOrders: LazyTable; ICItems: LazyTable };
  private todayMs: number;

  constructor(seed: number, counts: SeedCounts, today?: string | Date) {
    this.todayMs = dayOf(today ?? new Date());
    this.tables = {
      // Email lookups (who else uses this address) scan only the address columns.
      ARCustomers: new LazyTable(
        'CustomerNumber',
        counts.customers,
        customerKey,
        counts.sharedEmails
          ? (i) => withSharedEmail(makeCustomer(seed, i), i, counts.sharedEmails!)
          : (i) => makeCustomer(seed, i),
        ['Email', 'ContactsEmail'],
      ),
      OEOrders: new LazyTable('OrderUniquifier', counts.orders, orderKey, (i) => makeOrder(seed, i, counts)),
      ICItems: new LazyTable('UnformattedItemNumber', counts.items, itemKey, (i) => makeItem(seed, i)),
    };
  }

  /** The simulator's business date, as Sage writes it: `YYYY-MM-DDT00:00:00Z`. */
  today(): string {
    return sageDate(this.todayMs);
  }

  setToday(date: string | Date): void {
    this.todayMs = dayOf(date);
  }

  customers(): Row[] {
    return [...this.tables.ARCustomers.scan()];
  }
  orders(): Row[] {
    return [...this.tables.OEOrders.scan()];
  }
  items(): Row[] {
    return [...this.tables.ICItems.scan()];
  }

  customer(no: string): Row | undefined {
    return this.tables.ARCustomers.get(no);
  }
  order(uniquifier: number): Row | undefined {
    return this.tables.OEOrders.get(uniquifier);
  }

  /**
   * Edits a customer as the AR UI does: DateLastMaintained becomes today. `touch: false` models a
   * back-office change that does not bump it (an import, a direct SQL fix).
   */
  editCustomer(no: string, patch: Row, opts: { touch?: boolean } = {}): Row {
    const current = this.tables.ARCustomers.get(no);
    if (!current) throw new Error(`no customer ${no}`);
    const next: Row = { ...current, ...patch, CustomerNumber: no };
    if (opts.touch !== false) next.DateLastMaintained = this.today();
    this.tables.ARCustomers.put(next);
    return structuredClone(next);
  }

  /** Deletes a customer as AR's "Delete" does: the row is gone, no trace left in the feed. */
  deleteCustomer(no: string): void {
    if (!this.tables.ARCustomers.delete(no)) throw new Error(`no customer ${no}`);
  }

  addCustomer(c: Row & { CustomerNumber: string }): Row {
    if (this.tables.ARCustomers.has(c.CustomerNumber)) throw new Error(`customer ${c.CustomerNumber} exists`);
    const template = makeCustomer(0, 1_000_000);
    const blank = Object.fromEntries(
      Object.entries(template).map(([k, v]) => [k, typeof v === 'string' ? '' : Array.isArray(v) ? [] : v]),
    );
    const row: Row = {
      ...blank,
      Status: 'Active',
      OnHold: 'No',
      InactiveDate: null,
      CurrencyCode: 'USD',
      StartDate: this.today(),
      DateOfLastInvoice: null,
      ...c,
      DateLastMaintained: this.today(),
    };
    this.tables.ARCustomers.put(row);
    return structuredClone(row);
  }

  /** Enters an order with the next OrderUniquifier; lines name items by UnformattedItemNumber. */
  enterOrder(o: {
    CustomerNumber: string;
    lines?: { item: string; quantity: number; unitPrice?: number }[];
    OrderType?: string;
    OrderDate?: string;
    OnHold?: boolean;
    [field: string]: unknown;
  }): Row {
    const customer = this.tables.ARCustomers.get(o.CustomerNumber);
    if (!customer) throw new Error(`no customer ${o.CustomerNumber}`);
    const uniquifier = ((this.tables.OEOrders.lastKey() as number | undefined) ?? 41000) + 1;
    const lines: OrderLineInput[] = (
      o.lines ?? [{ item: this.tables.ICItems.at(0).UnformattedItemNumber as string, quantity: 1 }]
    ).map((l) => {
      const item = this.tables.ICItems.get(l.item);
      if (!item) throw new Error(`no item ${l.item}`);
      return { item, quantity: l.quantity, unitPrice: l.unitPrice ?? 10 };
    });
    const { lines: _lines, CustomerNumber: _c, OrderType, OrderDate, OnHold, ...extra } = o;
    const row = {
      ...buildOrder({
        uniquifier,
        customer,
        orderDate: OrderDate ? dayOf(OrderDate) : this.todayMs,
        lines,
        orderType: OrderType,
        onHold: OnHold,
      }),
      ...extra,
    };
    this.tables.OEOrders.put(row);
    return structuredClone(row);
  }

  completeOrder(uniquifier: number): Row {
    const order = this.tables.OEOrders.get(uniquifier);
    if (!order) throw new Error(`no order ${uniquifier}`);
    const done = completeOrderRow(order, this.todayMs);
    this.tables.OEOrders.put(done);
    return structuredClone(done);
  }

  /** An order deleted by a user, or purged after Day End: gone from OEOrders. */
  deleteOrder(uniquifier: number): void {
    if (!this.tables.OEOrders.delete(uniquifier)) throw new Error(`no order ${uniquifier}`);
  }

  /** Any other change a test needs (raw row patch, no date bump). */
  patch(set: keyof Sage300Data['tables'], key: Key, patch: Row): Row {
    const table = this.tables[set];
    const current = table.get(key);
    if (!current) throw new Error(`no ${set} row ${String(key)}`);
    const next = { ...current, ...patch };
    table.put(next);
    return structuredClone(next);
  }
}
