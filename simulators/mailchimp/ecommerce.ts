import type { SimContext } from './context.js';
import { registerCatalogRoutes } from './ecommerce-catalog.js';
import { registerOrderRoutes } from './ecommerce-orders.js';
import type { EcommerceState } from './ecommerce-state.js';
import { registerStoreRoutes } from './ecommerce-stores.js';
import type { Router } from './router.js';

export { EcommerceState } from './ecommerce-state.js';

export function registerEcommerceRoutes(router: Router, ctx: SimContext, state: EcommerceState): void {
  registerStoreRoutes(router, ctx, state);
  registerCatalogRoutes(router, state);
  registerOrderRoutes(router, ctx, state);
}
