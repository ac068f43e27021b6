import {
  PRODUCT_FIELDS,
  VARIANT_FIELDS,
  pageOf,
  pick,
  type EcommerceState,
  type Product,
  type Store,
} from './ecommerce-state.js';
import { badRequest, notFound } from './problems.js';
import type { Router } from './router.js';
import { FieldChecker, objectBody, type Json } from './validate.js';

const S = '/ecommerce/stores';
const now = () => Date.now();

/** Products and their variants (POST, PUT upsert, PATCH merge by variant id). */
export function registerCatalogRoutes(router: Router, state: EcommerceState): void {
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
        products: pageOf(all, req.query).map((p) => state.productJson(s, p)),
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
        variants: pageOf(all, req.query),
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
}
