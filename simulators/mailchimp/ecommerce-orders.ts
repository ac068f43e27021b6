import type { SimContext } from './context.js';
import {
  LINE_FIELDS,
  ORDER_FIELDS,
  checkCustomer,
  pageOf,
  pick,
  productMissing,
  writeCustomer,
  type EcommerceState,
  type Order,
  type Store,
} from './ecommerce-state.js';
import { badRequest, invalidResource, notFound } from './problems.js';
import type { Router } from './router.js';
import { FieldChecker, objectBody, type Json } from './validate.js';

const S = '/ecommerce/stores';
const now = () => Date.now();

/** Orders: POST (duplicate id refused), PATCH, GET; no PUT, so the router answers 405 with Allow. */
export function registerOrderRoutes(router: Router, ctx: SimContext, state: EcommerceState): void {
  // ---- orders (no PUT: the router answers 405 with Allow, as Mailchimp does)
  const O = `${S}/:store_id/orders`;
  const checkLines = (s: Store, lines: unknown, create: boolean) => {
    if (lines === undefined) return;
    const c = new FieldChecker({ lines }).type('lines', 'array');
    c.throwIfAny();
    (lines as unknown[]).forEach((raw, i) => {
      const l = (raw ?? {}) as Json;
      const need = create ? ['id', 'product_id', 'product_variant_id', 'quantity', 'price'] : [];
      const missing = need.filter((f) => l[f] === undefined);
      if (missing.length)
        c.errors.push({
          field: `lines.item:${i}`,
          message: `Required fields were not provided: ${missing.join(', ')}`,
        });
      if (l.quantity !== undefined && !Number.isInteger(l.quantity))
        c.errors.push({ field: `lines.item:${i}.quantity`, message: 'Schema describes integer' });
      if (l.price !== undefined && typeof l.price !== 'number')
        c.errors.push({ field: `lines.item:${i}.price`, message: 'Schema describes number' });
    });
    c.throwIfAny();
    for (const raw of lines as Json[]) {
      if (raw.product_id === undefined && raw.product_variant_id === undefined) continue;
      const p = s.products.get(String(raw.product_id));
      if (!p || !p.variants.has(String(raw.product_variant_id))) throw productMissing();
    }
  };
  router.on('POST', O, (req) => {
    const s = state.store(req.params.store_id);
    const b = objectBody(req.body);
    new FieldChecker(b)
      .required('id', 'customer', 'currency_code', 'order_total', 'lines')
      .type('id', 'string')
      .type('customer', 'object')
      .type('order_total', 'number')
      .type('currency_code', 'string')
      .throwIfAny();
    new FieldChecker(b).required('customer.id').throwIfAny();
    if (s.orders.has(String(b.id)))
      throw badRequest('An order with the provided ID already exists in the account.');
    checkLines(s, b.lines, true);
    const cust = b.customer as Json;
    const customerId = String(cust.id);
    if (!s.customers.has(customerId)) {
      if (typeof cust.email_address !== 'string') {
        throw invalidResource([
          { field: 'customer.email_address', message: 'A new customer requires an email address.' },
        ]);
      }
      checkCustomer({ ...cust, opt_in_status: cust.opt_in_status ?? false }, true);
    }
    const customer = s.customers.has(customerId)
      ? s.customers.get(customerId)!
      : writeCustomer(ctx, s, customerId, { ...cust, opt_in_status: cust.opt_in_status ?? false });
    const t = now();
    const o: Order = {
      id: String(b.id),
      customerId,
      doc: pick(b, ORDER_FIELDS),
      lines: (b.lines as Json[]).map((l) => ({ id: String(l.id), doc: pick(l, LINE_FIELDS) })),
      createdAt: t,
      updatedAt: t,
    };
    s.orders.set(o.id, o);
    s.orderList.push(o);
    state.countOrderCreated(s.id, o.id);
    customer.ordersCount++;
    customer.totalSpent += Number(b.order_total) || 0;
    return { status: 200, body: state.orderJson(s, o) };
  });
  router.on('GET', O, (req) => {
    const s = state.store(req.params.store_id);
    const cid = req.query.get('customer_id');
    const all = cid ? s.orderList.filter((o) => o.customerId === cid) : s.orderList;
    return {
      status: 200,
      body: {
        orders: pageOf(all, req.query).map((o) => state.orderJson(s, o)),
        store_id: s.id,
        total_items: all.length,
        _links: [],
      },
    };
  });
  router.on('GET', `${O}/:order_id`, (req) => {
    const s = state.store(req.params.store_id);
    const o = s.orders.get(String(req.params.order_id));
    if (!o) throw notFound();
    return { status: 200, body: state.orderJson(s, o) };
  });
  router.on('PATCH', `${O}/:order_id`, (req) => {
    const s = state.store(req.params.store_id);
    const o = s.orders.get(String(req.params.order_id));
    if (!o) throw notFound();
    const b = objectBody(req.body);
    new FieldChecker(b)
      .type('order_total', 'number')
      .type('lines', 'array')
      .type('customer', 'object')
      .throwIfAny();
    checkLines(s, b.lines, false);
    const customer = s.customers.get(o.customerId);
    if (customer && typeof b.order_total === 'number') {
      customer.totalSpent += b.order_total - (Number(o.doc.order_total) || 0);
    }
    if (customer && b.customer && typeof b.customer === 'object') {
      Object.assign(
        customer.doc,
        pick(b.customer as Json, ['first_name', 'last_name', 'company', 'address', 'opt_in_status']),
      );
    }
    Object.assign(o.doc, pick(b, ORDER_FIELDS));
    for (const raw of (Array.isArray(b.lines) ? b.lines : []) as Json[]) {
      const existing = raw.id === undefined ? undefined : o.lines.find((l) => l.id === String(raw.id));
      if (existing) Object.assign(existing.doc, pick(raw, LINE_FIELDS));
      else {
        const missing = ['product_id', 'product_variant_id', 'quantity', 'price'].filter(
          (f) => raw[f] === undefined,
        );
        if (missing.length)
          throw invalidResource([
            { field: 'lines', message: `Required fields were not provided: ${missing.join(', ')}` },
          ]);
        o.lines.push({ id: String(raw.id ?? `${o.id}-${o.lines.length + 1}`), doc: pick(raw, LINE_FIELDS) });
      }
    }
    o.updatedAt = now();
    return { status: 200, body: state.orderJson(s, o) };
  });
  router.on('DELETE', `${O}/:order_id`, (req) => {
    const s = state.store(req.params.store_id);
    const o = s.orders.get(String(req.params.order_id));
    if (!o) throw notFound();
    s.orders.delete(o.id);
    s.orderList.splice(s.orderList.indexOf(o), 1);
    return { status: 204 };
  });
}
