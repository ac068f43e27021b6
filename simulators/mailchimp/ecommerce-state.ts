import type { Audience } from './audience.js';
import type { SimContext } from './context.js';
import { emailProblem } from './email.js';
import { eventData, insertMember } from './member-writes.js';
import { badRequest, invalidResource, notFound } from './problems.js';
import { FieldChecker, mcTime, paging, subscriberHash, type Json } from './validate.js';

export const STORE_FIELDS = [
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
export const CUSTOMER_FIELDS = [
  'email_address',
  'opt_in_status',
  'company',
  'first_name',
  'last_name',
  'address',
];
export const PRODUCT_FIELDS = [
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
export const VARIANT_FIELDS = [
  'title',
  'url',
  'sku',
  'price',
  'inventory_quantity',
  'image_url',
  'backorders',
  'visibility',
];
export const ORDER_FIELDS = [
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
export const LINE_FIELDS = ['product_id', 'product_variant_id', 'quantity', 'price', 'discount'];

export interface Timestamps {
  createdAt: number;
  updatedAt: number;
}
export interface Customer extends Timestamps {
  id: string;
  doc: Json;
  ordersCount: number;
  totalSpent: number;
}
export interface Variant extends Timestamps {
  id: string;
  doc: Json;
}
export interface Product extends Timestamps {
  id: string;
  doc: Json;
  variants: Map<string, Variant>;
}
export interface OrderLine {
  id: string;
  doc: Json;
}
export interface Order extends Timestamps {
  id: string;
  customerId: string;
  doc: Json;
  lines: OrderLine[];
}
export interface Store extends Timestamps {
  id: string;
  listId: string;
  doc: Json;
  customers: Map<string, Customer>;
  products: Map<string, Product>;
  orders: Map<string, Order>;
  orderList: Order[];
}

export function pick(src: Json, fields: string[]): Json {
  const out: Json = {};
  for (const f of fields) if (src[f] !== undefined && src[f] !== null) out[f] = src[f];
  return out;
}

export const productMissing = () =>
  badRequest('A product with the provided ID does not exist in the account for this list.');

export class EcommerceState {
  readonly stores = new Map<string, Store>();
  /** Store id -> order id -> successful creations (survives deletes, so a re-creation counts twice). */
  readonly orderCreations = new Map<string, Map<string, number>>();

  countOrderCreated(storeId: string, orderId: string): void {
    let counts = this.orderCreations.get(storeId);
    if (!counts) this.orderCreations.set(storeId, (counts = new Map()));
    counts.set(orderId, (counts.get(orderId) ?? 0) + 1);
  }

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
export function ensureAudienceMember(
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

/** Field rules shared by customer create/upsert/patch and the inline customer of a new order. */
export function checkCustomer(b: Json, create: boolean): void {
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
}

/** Creates or updates a store customer and adds its address to the store's audience when new there. */
export function writeCustomer(ctx: SimContext, s: Store, id: string, b: Json): Customer {
  const t = Date.now();
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
}

export function pageOf<T>(items: T[], q: URLSearchParams): T[] {
  const { count, offset } = paging(q);
  return items.slice(offset, offset + count);
}
