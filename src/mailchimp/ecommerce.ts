import { MailchimpError, MailchimpNotFoundError, MailchimpRecordError } from './errors.js';
import { normalizeEmail } from './hash.js';
import type { MailchimpHttp } from './http.js';
import { parseWith } from './members.js';
import { forEachBounded } from '../shared/concurrency.js';
import {
  orderSchema,
  storeOrderPageSchema,
  storeSchema,
  type MailchimpOrder,
  type MailchimpStore,
  type OrderInput,
  type OrderUpdate,
  type ProductInput,
  type StoreInput,
  type StoreOrderSummary,
} from './types.js';

const enc = encodeURIComponent;
const storePath = (storeId: string) => `ecommerce/stores/${enc(storeId)}`;
const orderPath = (storeId: string, orderId: string) => `${storePath(storeId)}/orders/${enc(orderId)}`;

async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof MailchimpNotFoundError) return undefined;
    throw err;
  }
}

export async function getStore(http: MailchimpHttp, storeId: string): Promise<MailchimpStore | undefined> {
  const raw = await orUndefined(http.request<unknown>('GET', storePath(storeId)));
  return raw === undefined ? undefined : parseWith(storeSchema, raw, 'store');
}

export async function ensureStore(
  http: MailchimpHttp,
  s: StoreInput,
): Promise<{ created: boolean; store: MailchimpStore }> {
  const existing = await getStore(http, s.id);
  if (existing) {
    // A store's audience can never change in Mailchimp; writing into it would put orders elsewhere.
    if (existing.list_id !== s.listId) {
      throw new MailchimpError(
        `Mailchimp store ${s.id} (MAILCHIMP_STORE_ID) belongs to audience ${existing.list_id}, not MAILCHIMP_LIST_ID ${s.listId}; choose a new store ID or the matching audience.`,
      );
    }
    return { created: false, store: existing };
  }
  const body: Record<string, unknown> = {
    id: s.id,
    list_id: s.listId,
    name: s.name,
    currency_code: s.currencyCode,
    platform: s.platform ?? 'Sage 300 (ml-connector)',
  };
  if (s.domain) body.domain = s.domain;
  if (s.emailAddress) body.email_address = s.emailAddress;
  if (s.moneyFormat) body.money_format = s.moneyFormat;
  if (s.primaryLocale) body.primary_locale = s.primaryLocale;
  if (s.timezone) body.timezone = s.timezone;
  const store = parseWith(
    storeSchema,
    await http.request('POST', 'ecommerce/stores', { json: body }),
    'store',
  );
  return { created: true, store };
}

export async function setStoreSyncing(http: MailchimpHttp, storeId: string, syncing: boolean): Promise<void> {
  await http.request('PATCH', storePath(storeId), { json: { is_syncing: syncing } });
}

/** Per base URL: once PUT on products is known unsupported (older API), go straight to POST/PATCH. */
const productPutUnsupported = new Set<string>();

function alreadyExists(err: unknown): boolean {
  return err instanceof MailchimpRecordError && /already exists/i.test(err.detail ?? '');
}

export async function upsertProduct(http: MailchimpHttp, storeId: string, p: ProductInput): Promise<void> {
  const path = `${storePath(storeId)}/products/${enc(p.id)}`;
  if (!productPutUnsupported.has(http.baseUrl)) {
    try {
      await http.request('PUT', path, { json: p });
      return;
    } catch (err) {
      if (!(err instanceof MailchimpError) || (err.status !== 405 && err.status !== 404)) throw err;
      // Only a 405 says the API lacks PUT; a 404 may just be a missing store, which POST reports.
      if (err.status === 405) productPutUnsupported.add(http.baseUrl);
    }
  }
  try {
    await http.request('POST', `${storePath(storeId)}/products`, { json: p });
  } catch (err) {
    if (!alreadyExists(err) && !(await orderOrProductExists(http, path, err))) throw err;
    const { id: _id, ...update } = p;
    await http.request('PATCH', path, { json: update });
  }
}

/** A 400 on create may mean "exists" with a detail we do not recognise: a GET settles it. */
async function orderOrProductExists(http: MailchimpHttp, path: string, err: unknown): Promise<boolean> {
  if (!(err instanceof MailchimpRecordError)) return false;
  return (await orUndefined(http.request<unknown>('GET', path))) !== undefined;
}

/**
 * Orders have no upsert: POST creates, and when the order exists (400 "already exists") `update` is
 * PATCHed. The caller decides what an update sends (src/domain/orders/mapping.ts `updateBody`), so
 * there is one rule for it, and a re-sync never rewrites which campaign an order is credited to.
 */
export async function upsertOrder(
  http: MailchimpHttp,
  storeId: string,
  o: OrderInput,
  update: OrderUpdate,
): Promise<'created' | 'updated'> {
  const customer = {
    ...o.customer,
    ...(o.customer.email_address
      ? { email_address: normalizeEmail(o.customer.email_address), opt_in_status: false }
      : {}),
  };
  try {
    await http.request('POST', `${storePath(storeId)}/orders`, { json: { ...o, customer } });
    return 'created';
  } catch (err) {
    if (!alreadyExists(err) && !(await orderOrProductExists(http, orderPath(storeId, o.id), err))) throw err;
  }
  await updateOrder(http, storeId, o.id, update);
  return 'updated';
}

/**
 * Mailchimp refused the address of a customer new to the store (syntax, or "looks fake"): every
 * order that carries the same customer id and address is refused the same way while the store lacks
 * that customer.
 */
export function refusedCustomerEmail(err: unknown): err is MailchimpRecordError {
  return (
    err instanceof MailchimpRecordError &&
    err.status === 400 &&
    /valid email address|looks fake or invalid/i.test(err.detail ?? '')
  );
}

export async function updateOrder(
  http: MailchimpHttp,
  storeId: string,
  orderId: string,
  update: OrderUpdate,
): Promise<void> {
  await http.request('PATCH', orderPath(storeId, orderId), { json: update });
}

/**
 * Removes a line the order no longer has (a PATCH cannot). An API without the lines endpoint (405),
 * or a line already gone (404, 400), leaves the extra line: the order's total is right either way.
 */
export async function deleteOrderLine(
  http: MailchimpHttp,
  storeId: string,
  orderId: string,
  lineId: string,
): Promise<void> {
  try {
    await http.request('DELETE', `${orderPath(storeId, orderId)}/lines/${enc(lineId)}`);
  } catch (err) {
    const tolerated =
      err instanceof MailchimpNotFoundError ||
      err instanceof MailchimpRecordError ||
      (err instanceof MailchimpError && err.status === 405);
    if (!tolerated) throw err;
  }
}

export async function getOrder(
  http: MailchimpHttp,
  storeId: string,
  orderId: string,
): Promise<MailchimpOrder | undefined> {
  const raw = await orUndefined(http.request<unknown>('GET', orderPath(storeId, orderId)));
  return raw === undefined ? undefined : parseWith(orderSchema, raw, 'order');
}

/**
 * Marks an order cancelled: the way to take its revenue back without deleting the order. The same
 * `at` makes a repeated call a no-op. A store with order notifications on emails the customer.
 */
export async function cancelOrder(
  http: MailchimpHttp,
  storeId: string,
  orderId: string,
  at: string,
): Promise<void> {
  await updateOrder(http, storeId, orderId, { financial_status: 'cancelled', cancelled_at_foreign: at });
}

/** Mailchimp's largest `count`. */
const LISTING_PAGE = 1000;

/**
 * Every order of a store, a page at a time (`count`/`offset`, only `fields`, `id` always). The first
 * page tells how many there are; the others are read up to `concurrency` at once (the credential's
 * connection cap applies on top), then further pages while they come back full (orders created
 * meanwhile). Offset paging over a store being written can repeat or skip an order: `onPage` sees
 * a repeated one twice.
 */
export async function forEachStoreOrderPage(
  http: MailchimpHttp,
  storeId: string,
  opts: { fields: readonly string[]; concurrency: number; pageSize?: number; signal?: AbortSignal },
  onPage: (orders: StoreOrderSummary[]) => void,
): Promise<{ pages: number; orders: number }> {
  const count = Math.min(LISTING_PAGE, opts.pageSize ?? LISTING_PAGE);
  const fields = ['total_items', ...new Set(['id', ...opts.fields].map((f) => `orders.${f}`))].join(',');
  const seen = { pages: 0, orders: 0 };
  const read = async (offset: number) => {
    const raw = await http.request<unknown>('GET', `${storePath(storeId)}/orders`, {
      searchParams: { fields, count, offset },
    });
    const page = parseWith(storeOrderPageSchema, raw, 'order listing');
    seen.pages++;
    seen.orders += page.orders.length;
    onPage(page.orders);
    return { full: page.orders.length === count, total: page.total_items };
  };
  const first = await read(0);
  const offsets: number[] = [];
  for (let offset = count; offset < first.total; offset += count) offsets.push(offset);
  let lastFull = first.full;
  await forEachBounded(
    offsets,
    opts.concurrency,
    async (offset) => {
      const page = await read(offset);
      if (offset === offsets[offsets.length - 1]) lastFull = page.full;
    },
    { signal: opts.signal },
  );
  for (let offset = count * (offsets.length + 1); lastFull; offset += count)
    lastFull = (await read(offset)).full;
  return seen;
}
