import { emailProblem } from '../../simulators/mailchimp/email.js';

/**
 * What the store should hold, computed straight from the simulator's rows (not through the code
 * under test): one order per non-quote Sage order whose customer has a usable address and which has
 * at least one item line with a quantity.
 */
type Row = Record<string, unknown>;

export interface ExpectedOrder {
  id: string;
  uniquifier: number;
  customerId: string;
  currency: string;
  total: number;
  completed: boolean;
  lines: Array<{ id: string; product: string; quantity: number; price: number }>;
}

const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;

export function chosenEmail(c: Row | undefined): string | undefined {
  if (!c) return undefined;
  return [c.Email, c.ContactsEmail]
    .map((e) => (typeof e === 'string' ? e.trim() : ''))
    .find((e) => EMAIL.test(e));
}

/** Mailchimp's own address rule (fake-looking domains), as the simulator models it. */
export function acceptedByMailchimp(email: string): boolean {
  return emailProblem(email) === undefined;
}

/**
 * `orders`: what the store must hold; `rejected`: orders Mailchimp refuses because of the
 * customer's address (counted as failed); `dataFixable`: orders whose customer is missing or has no
 * usable address (also failed, so a replay sends them once fixed); the rest are skipped.
 */
export function expectedOrders(orders: Row[], customers: Row[]): Map<string, ExpectedOrder> {
  return classifyOrders(orders, customers).orders;
}

export function classifyOrders(
  orders: Row[],
  customers: Row[],
): { orders: Map<string, ExpectedOrder>; rejected: Set<string>; dataFixable: Set<string> } {
  const byNumber = new Map(customers.map((c) => [String(c.CustomerNumber).trim(), c]));
  const out = new Map<string, ExpectedOrder>();
  const rejected = new Set<string>();
  const dataFixable = new Set<string>();
  for (const o of orders) {
    if (o.OrderType === 'Quote') continue;
    const email = chosenEmail(byNumber.get(String(o.CustomerNumber).trim()));
    if (!email) {
      // Customer missing or without a usable address: recorded failed, sent by a replay once fixed.
      if (String(o.OrderNumber ?? '').trim()) dataFixable.add(String(o.OrderNumber).trim());
      continue;
    }
    const completed = String(o.OrderCompleted).startsWith('Complete');
    const lines = (o.OrderDetails as Row[])
      .filter((d) => d.LineType === 'Item')
      .map((d) => ({
        id: String(d.LineNumber),
        product: String(d.UnformattedItemNumber).trim(),
        quantity: (d.QuantityOrdered as number) || (completed ? (d.OriginalQuantityOrdered as number) : 0),
        price: d.OrderUnitPrice as number,
      }))
      .filter((l) => l.quantity > 0);
    if (lines.length === 0) continue;
    const id = String(o.OrderNumber).trim();
    if (!acceptedByMailchimp(email)) {
      rejected.add(id);
      continue;
    }
    out.set(id, {
      id,
      uniquifier: o.OrderUniquifier as number,
      customerId: String(o.CustomerNumber).trim(),
      currency: String(o.OrderSourceCurrency),
      total: o.OrderTotal as number,
      completed,
      lines,
    });
  }
  return { orders: out, rejected, dataFixable };
}

/** A customer whose orders Mailchimp accepts (usable address, not a reserved domain). */
export function customerWithGoodEmail(customers: Row[]): Row {
  const found = customers.find((c) => {
    const email = chosenEmail(c);
    return email !== undefined && acceptedByMailchimp(email);
  });
  if (!found) throw new Error('the seed has no customer with a deliverable address');
  return found;
}
