import type { SimContext } from './context.js';
import {
  STORE_FIELDS,
  checkCustomer,
  pageOf,
  pick,
  writeCustomer,
  type EcommerceState,
  type Store,
} from './ecommerce-state.js';
import { badRequest, invalidResource, notFound } from './problems.js';
import type { Router } from './router.js';
import { FieldChecker, objectBody } from './validate.js';

const S = '/ecommerce/stores';
const now = () => Date.now();

/** Stores (bound to one audience for life) and their customers. */
export function registerStoreRoutes(router: Router, ctx: SimContext, state: EcommerceState): void {
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
        stores: pageOf(all, req.query).map((s) => state.storeJson(s)),
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
  router.on('GET', C, (req) => {
    const s = state.store(req.params.store_id);
    const all = [...s.customers.values()];
    return {
      status: 200,
      body: {
        customers: pageOf(all, req.query).map((c) => state.customerJson(c)),
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
    return { status: 200, body: state.customerJson(writeCustomer(ctx, s, String(b.id), b)) };
  });
  router.on('PUT', `${C}/:customer_id`, (req) => {
    const s = state.store(req.params.store_id);
    const b = objectBody(req.body);
    checkCustomer(b, true);
    return {
      status: 200,
      body: state.customerJson(writeCustomer(ctx, s, String(req.params.customer_id), b)),
    };
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
    return { status: 200, body: state.customerJson(writeCustomer(ctx, s, c.id, rest)) };
  });
  router.on('DELETE', `${C}/:customer_id`, (req) => {
    const s = state.store(req.params.store_id);
    if (!s.customers.delete(String(req.params.customer_id))) throw notFound();
    return { status: 204 };
  });
}
