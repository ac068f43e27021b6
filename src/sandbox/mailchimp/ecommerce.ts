import type { Audience } from './audience.js';
import type { SimContext } from './context.js';
import { emailProblem } from './email.js';
import { eventData, insertMember } from './members-api.js';
import { badRequest, invalidResource, notFound } from './problems.js';
import type { Router } from './router.js';
import { FieldChecker, mcTime, objectBody, paging, subscriberHash, type Json } from './validate.js';

const STORE_FIELDS = [
  'name',
  'platform',
  'domain',
  'is_syncing',
  'email_address',
  'currency_code',
  'money_format',
  'primary_locale',
  'timezone',
  'phone',
  'address',
];
const CUSTOMER_FIELDS = ['email_address', 'opt_in_status', 'company', 'first_name', 'last_name', 'address'];
const PRODUCT_FIELDS = [
  'title',
  'handle',
  'url',
  'description',
  'type',
  'vendor',
  'image_url',
  'images',
  'published_at_foreign',
];
const VARIANT_FIELDS = [
  'title',
  'url',
  'sku',
  'price',
  'inventory_quantity',
  'image_url',
  'backorders',
  'visibility',
];
const ORDER_FIELDS = [
  'campaign_id',
  'landing_site',
  'financial_status',
  'fulfillment_status',
  'currency_code',
  'order_total',
  'order_url',
  'discount_total',
  'tax_total',
  'shipping_total',
  'tracking_code',
  'processed_at_foreign',
  'cancelled_at_foreign',
  'updated_at_foreign',
  'shipping_address',
  'billing_address',
  'promos',
  'outreach',
  'tracking_number',
  'tracking_carrier',
  'tracking_url',
];
const LINE_FIELDS = ['product_id', 'product_variant_id', 'quantity', 'price', 'discount'];

interface Timestamps {
  createdAt: number;
  updatedAt: number;
}
interface Customer extends Timestamps {
  id: string;
  doc: Json;
  ordersCount: number;
  totalSpent: number;
}
interface Variant extends Timestamps {
  id: string;
  doc: Json;
}
interface Product extends Timestamps {
  id: string;
  doc: Json;
  variants: Map<string, Variant>;
}
interface OrderLine {
  id: string;
  doc: Json;
}
interface Order extends Timestamps {
  id: string;
  customerId: string;
  doc: Json;
  lines: OrderLine[];
}
interface Store extends Timestamps {
  id: string;
  listId: string;
  doc: Json;
  customers: Map<string, Customer>;
  products: Map<string, Product>;
  orders: Map<string, Order>;
  orderList: Order[];
}

function pick(src: Json, fields: string[]): Json {
  const out: Json = {};
  for (const f of fields) if (src[f] !== undefined && src[f] !== null) out[f] = src[f];
  return out;
}

const productMissing = () =>
  badRequest('A product with the provided ID does not exist in the account for this list.');

export class EcommerceState {
  readonly stores = new Map<string, Store>();

  store(id: string | undefined): Store {
    const s = id === undefined ? undefined : this.stores.get(id);
    if (!s) throw notFound();
    return s;
  }

  orderList(storeId: string): Json[] {
    const s = this.store(storeId);
    return s.orderList.map((o) => this.orderJson(s, o));
  }

  storeJson(s: Store): Json {
    return {
      id: s.id,
      list_id: s.listId,
      is_syncing: false,
      platform: '',
      domain: '',
      email_address: '',
      money_format: '',
      primary_locale: '',
      timezone: '',
      phone: '',
      ...s.doc,
      list_is_active: true,
      created_at: mcTime(s.createdAt),
      updated_at: mcTime(s.updatedAt),
      _links: [],
    };
  }

  customerJson(c: Customer): Json {
    return {
      id: c.id,
      company: '',
      first_name: '',
      last_name: '',
      ...c.doc,
      orders_count: c.ordersCount,
      total_spent: Math.round(c.totalSpent * 100) / 100,
      created_at: mcTime(c.createdAt),
      updated_at: mcTime(c.updatedAt),
      _links: [],
    };
  }

  productJson(s: Store, p: Product): Json {
    return {
      id: p.id,
      currency_code: String(s.doc.currency_code ?? ''),
      handle: '',
      url: '',
      description: '',
      type: '',
      vendor: '',
      image_url: '',
      images: [],
      ...p.doc,
      variants: [...p.variants.values()].map((v) => ({
        id: v.id,
        url: '',
        sku: '',
        image_url: '',
        ...v.doc,
        created_at: mcTime(v.createdAt),
        updated_at: mcTime(v.updatedAt),
      })),
      _links: [],
    };
  }

  orderJson(s: Store, o: Order): Json {
    const customer = s.customers.get(o.customerId);
    return {
      id: o.id,
      store_id: s.id,
      financial_status: '',
      fulfillment_status: '',
      ...o.doc,
      customer: customer ? this.customerJson(customer) : { id: o.customerId },
      lines: o.lines.map((l) => {
        const p = s.products.get(String(l.doc.product_id));
        const v = p?.variants.get(String(l.doc.product_variant_id));
        return {
          id: l.id,
          ...l.doc,
          product_title: String(p?.doc.title ?? ''),
          product_variant_title: String(v?.doc.title ?? ''),
          image_url: String(v?.doc.image_url ?? p?.doc.image_url ?? ''),
        };
      }),
      _links: [],
    };
  }
}

/** A store's customer joins its audience unless already there: `subscribed` if opted in, else `transactional`. */
function ensureAudienceMember(
  ctx: SimContext,
  aud: Audience | undefined,
  email: string,
  optIn: boolean,
): void {
  if (!aud) return;
  const hash = subscriberHash(email);
  if (aud.members.has(hash) || aud.forgotten.has(hash)) return;
  const m = insertMember(aud, {
    email,
    status: optIn ? 'subscribed' : 'transactional',
    source: 'E-commerce',
  });
  if (optIn) ctx.emitApiEvent(aud, 'subscribe', eventData(aud, m));
}

export function registerEcommerceRoutes(router: Router, ctx: SimContext, state: EcommerceState): void {
  const S = '/ecommerce/stores';
  const now = () => Date.now();
  const list = <T>(items: T[], q: URLSearchParams) => {
    const { count, offset } = paging(q);
    return items.slice(offset, offset + count);
  };

  // ---- stores
  router.on('POST', S, (req) => {
    const b = objectBody(req.body);
    new FieldChecker(b)
      .required('id', 'list_id', 'name', 'currency_code')
      .type('id', 'string')
      .type('list_id', 'string')
      .type('name', 'string')
      .type('currency_code', 'string')
      .type('is_syncing', 'boolean')
      .throwIfAny();
    if (!ctx.lists.has(String(b.list_id))) {
      throw invalidResource([
        { field: 'list_id', message: 'The list_id does not refer to an existing audience.' },
      ]);
    }
    if (state.stores.has(String(b.id)))
      throw badRequest('A store with the provided ID already exists in the account.');
    const t = now();
    const s: Store = {
      id: String(b.id),
      listId: String(b.list_id),
      doc: pick(b, STORE_FIELDS),
      customers: new Map(),
      products: new Map(),
      orders: new Map(),
      orderList: [],
      createdAt: t,
      updatedAt: t,
    };
    state.stores.set(s.id, s);
    return { status: 200, body: state.storeJson(s) };
  });
  router.on('GET', S, (req) => {
    const all = [...state.stores.values()];
    return {
      status: 200,
      body: {
        stores: list(all, req.query).map((s) => state.storeJson(s)),
        total_items: all.length,
        _links: [],
      },
    };
  });
  router.on('GET', `${S}/:store_id`, (req) => ({
    status: 200,
    body: state.storeJson(state.store(req.params.store_id)),
  }));
  router.on('PATCH', `${S}/:store_id`, (req) => {
    const s = state.store(req.params.store_id);
    const b = objectBody(req.body);
    new FieldChecker(b)
      .type('name', 'string')
      .type('is_syncing', 'boolean')
      .type('currency_code', 'string')
      .throwIfAny();
    if (b.list_id !== undefined && b.list_id !== s.listId) {
      throw invalidResource([{ field: 'list_id', message: "A store's audience cannot be changed." }]);
    }
    Object.assign(s.doc, pick(b, STORE_FIELDS));
    s.updatedAt = now();
    return { status: 200, body: state.storeJson(s) };
  });
  router.on('DELETE', `${S}/:store_id`, (req) => {
    state.stores.delete(state.store(req.params.store_id).id);
    return { status: 204 };
  });

  // ---- customers
  const C = `${S}/:store_id/customers`;
  const checkCustomer = (b: Json, create: boolean) => {
    const c = new FieldChecker(b);
    if (create) c.required('id', 'email_address', 'opt_in_status');
    c.type('id', 'string')
      .type('email_address', 'string')
      .type('opt_in_status', 'boolean')
      .type('address', 'object')
      .throwIfAny();
    if (typeof b.id === 'string' && b.id.length > 50)
      throw invalidResource([{ field: 'id', message: 'Must be 50 characters or fewer.' }]);
    if (typeof b.email_address === 'string') {
      const bad = emailProblem(b.email_address);
      if (bad) throw bad;
    }
  };
  const writeCustomer = (s: Store, id: string, b: Json): Customer => {
    const t = now();
    let c = s.customers.get(id);
    if (!c) {
      c = { id, doc: {}, ordersCount: 0, totalSpent: 0, createdAt: t, updatedAt: t };
      s.customers.set(id, c);
    }
    Object.assign(c.doc, pick(b, CUSTOMER_FIELDS));
    c.updatedAt = t;
    ensureAudienceMember(
      ctx,
      ctx.lists.get(s.listId),
      String(c.doc.email_address),
      c.doc.opt_in_status === true,
    );
    return c;
  };
  router.on('GET', C, (req) => {
    const s = state.store(req.params.store_id);
    const all = [...s.customers.values()];
    return {
      status: 200,
      body: {
        customers: list(all, req.query).map((c) => state.customerJson(c)),
        store_id: s.id,
        total_items: all.length,
        _links: [],
      },
    };
  });
  router.on('POST', C, (req) => {
    const s = state.store(req.params.store_id);
    const b = objectBody(req.body);
    checkCustomer(b, true);
    if (s.customers.has(String(b.id)))
      throw badRequest('A customer with the provided ID already exists in the account.');
    return { status: 200, body: state.customerJson(writeCustomer(s, String(b.id), b)) };
  });
  router.on('PUT', `${C}/:customer_id`, (req) => {
    const s = state.store(req.params.store_id);
    const b = objectBody(req.body);
    checkCustomer(b, true);
    return { status: 200, body: state.customerJson(writeCustomer(s, String(req.params.customer_id), b)) };
  });
  router.on('GET', `${C}/:customer_id`, (req) => {
    const c = state.store(req.params.store_id).customers.get(String(req.params.customer_id));
    if (!c) throw notFound();
    return { status: 200, body: state.customerJson(c) };
  });
  router.on('PATCH', `${C}/:customer_id`, (req) => {
    const s = state.store(req.params.store_id);
    const c = s.customers.get(String(req.params.customer_id));
    if (!c) throw notFound();
    const b = objectBody(req.body);
    checkCustomer(b, false);
    const { email_address: _ignored, ...rest } = b;
    return { status: 200, body: state.customerJson(writeCustomer(s, c.id, rest)) };
  });
  router.on('DELETE', `${C}/:customer_id`, (req) => {
    const s = state.store(req.params.store_id);
    if (!s.customers.delete(String(req.params.customer_id))) throw notFound();
    return { status: 204 };
  });

  // ---- products
  const P = `${S}/:store_id/products`;
  const checkProduct = (b: Json, create: boolean) => {
    const c = new FieldChecker(b);
    if (create) c.required('id', 'title', 'variants');
    c.type('title', 'string').type('variants', 'array').type('images', 'array');
    if (Array.isArray(b.variants)) {
      if (create && b.variants.length === 0)
        c.errors.push({ field: 'variants', message: 'At least one variant is required.' });
      b.variants.forEach((v: unknown, i) => {
        const vj = (v ?? {}) as Json;
        if (typeof vj.id !== 'string' || (create && typeof vj.title !== 'string')) {
          c.errors.push({
            field: `variants.item:${i}`,
            message: 'Required fields were not provided: id, title',
          });
        }
      });
    }
    c.throwIfAny();
  };
  const writeProduct = (s: Store, id: string, b: Json, replace: boolean): Product => {
    const t = now();
    let p = s.products.get(id);
    if (!p || replace) {
      p = {
        id,
        doc: {},
        variants: p && !replace ? p.variants : new Map(),
        createdAt: p?.createdAt ?? t,
        updatedAt: t,
      };
      s.products.set(id, p);
    }
    Object.assign(p.doc, pick(b, PRODUCT_FIELDS));
    for (const raw of (Array.isArray(b.variants) ? b.variants : []) as Json[]) {
      const vid = String(raw.id);
      const v = p.variants.get(vid) ?? { id: vid, doc: {}, createdAt: t, updatedAt: t };
      Object.assign(v.doc, pick(raw, VARIANT_FIELDS));
      v.updatedAt = t;
      p.variants.set(vid, v);
    }
    p.updatedAt = t;
    return p;
  };
  router.on('GET', P, (req) => {
    const s = state.store(req.params.store_id);
    const all = [...s.products.values()];
    return {
      status: 200,
      body: {
        products: list(all, req.query).map((p) => state.productJson(s, p)),
        store_id: s.id,
        total_items: all.length,
        _links: [],
      },
    };
  });
  router.on('POST', P, (req) => {
    const s = state.store(req.params.store_id);
    const b = objectBody(req.body);
    checkProduct(b, true);
    if (s.products.has(String(b.id)))
      throw badRequest('A product with the provided ID already exists in the account.');
    return { status: 200, body: state.productJson(s, writeProduct(s, String(b.id), b, true)) };
  });
  // Upsert exists in the live API though not in the 3.0.55 spec.
  router.on('PUT', `${P}/:product_id`, (req) => {
    const s = state.store(req.params.store_id);
    const b = objectBody(req.body);
    checkProduct({ ...b, id: req.params.product_id }, true);
    return {
      status: 200,
      body: state.productJson(s, writeProduct(s, String(req.params.product_id), b, true)),
    };
  });
  router.on('GET', `${P}/:product_id`, (req) => {
    const s = state.store(req.params.store_id);
    const p = s.products.get(String(req.params.product_id));
    if (!p) throw notFound();
    return { status: 200, body: state.productJson(s, p) };
  });
  router.on('PATCH', `${P}/:product_id`, (req) => {
    const s = state.store(req.params.store_id);
    const p = s.products.get(String(req.params.product_id));
    if (!p) throw notFound();
    const b = objectBody(req.body);
    checkProduct(b, false);
    return { status: 200, body: state.productJson(s, writeProduct(s, p.id, b, false)) };
  });
  router.on('DELETE', `${P}/:product_id`, (req) => {
    const s = state.store(req.params.store_id);
    if (!s.products.delete(String(req.params.product_id))) throw notFound();
    return { status: 204 };
  });

  // ---- variants
  const V = `${P}/:product_id/variants`;
  const productOf = (storeId: string | undefined, productId: string | undefined) => {
    const s = state.store(storeId);
    const p = s.products.get(String(productId));
    if (!p) throw notFound();
    return { s, p };
  };
  const variantJson = (s: Store, p: Product, id: string) =>
    (state.productJson(s, p).variants as Json[]).find((v) => v.id === id) ?? {};
  const writeVariant = (p: Product, id: string, b: Json) => {
    const t = now();
    const v = p.variants.get(id) ?? { id, doc: {}, createdAt: t, updatedAt: t };
    Object.assign(v.doc, pick(b, VARIANT_FIELDS));
    v.updatedAt = t;
    p.variants.set(id, v);
    p.updatedAt = t;
  };
  router.on('GET', V, (req) => {
    const { s, p } = productOf(req.params.store_id, req.params.product_id);
    const all = state.productJson(s, p).variants as Json[];
    return {
      status: 200,
      body: {
        variants: list(all, req.query),
        product_id: p.id,
        store_id: s.id,
        total_items: all.length,
        _links: [],
      },
    };
  });
  router.on('POST', V, (req) => {
    const { s, p } = productOf(req.params.store_id, req.params.product_id);
    const b = objectBody(req.body);
    new FieldChecker(b).required('id', 'title').type('id', 'string').type('title', 'string').throwIfAny();
    if (p.variants.has(String(b.id)))
      throw badRequest('A variant with the provided ID already exists in the account.');
    writeVariant(p, String(b.id), b);
    return { status: 200, body: variantJson(s, p, String(b.id)) };
  });
  router.on('PUT', `${V}/:variant_id`, (req) => {
    const { s, p } = productOf(req.params.store_id, req.params.product_id);
    const b = objectBody(req.body);
    new FieldChecker(b).required('id', 'title').type('title', 'string').throwIfAny();
    writeVariant(p, String(req.params.variant_id), b);
    return { status: 200, body: variantJson(s, p, String(req.params.variant_id)) };
  });
  router.on('GET', `${V}/:variant_id`, (req) => {
    const { s, p } = productOf(req.params.store_id, req.params.product_id);
    if (!p.variants.has(String(req.params.variant_id))) throw notFound();
    return { status: 200, body: variantJson(s, p, String(req.params.variant_id)) };
  });
  router.on('PATCH', `${V}/:variant_id`, (req) => {
    const { s, p } = productOf(req.params.store_id, req.params.product_id);
    const id = String(req.params.variant_id);
    if (!p.variants.has(id)) throw notFound();
    writeVariant(p, id, objectBody(req.body));
    return { status: 200, body: variantJson(s, p, id) };
  });
  router.on('DELETE', `${V}/:variant_id`, (req) => {
    const { p } = productOf(req.params.store_id, req.params.product_id);
    if (!p.variants.delete(String(req.params.variant_id))) throw notFound();
    return { status: 204 };
  });

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
      : writeCustomer(s, customerId, { ...cust, opt_in_status: cust.opt_in_status ?? false });
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
        orders: list(all, req.query).map((o) => state.orderJson(s, o)),
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
