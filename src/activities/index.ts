import { createHealthActivities } from './health.js';
import { createSyncStateActivities } from './sync-state.js';
import { createCustomerSyncActivities } from './customers/index.js';
import { createCustomerPlanActivities } from './customers/preflight.js';
import { createOrderSyncActivities } from './orders/index.js';
import { createOrderPlanActivities } from './orders/preflight.js';
import { createReconcileActivities } from './reconcile.js';
import { createCustomerReconcileActivities } from './reconcile-customers.js';
import type { ActivityDeps } from './deps.js';

export type { ActivityDeps } from './deps.js';

/**
 * Every activity the worker registers, built from the dependencies it is handed (clients, config,
 * logger), so tests pass clients pointed at the simulators.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createHealthActivities({ version: deps.version }),
    ...createSyncStateActivities(deps),
    ...createCustomerSyncActivities(deps),
    ...createOrderSyncActivities(deps),
    ...createCustomerPlanActivities(deps),
    ...createOrderPlanActivities(deps),
    ...createReconcileActivities(deps),
    ...createCustomerReconcileActivities(deps),
  };
}

export type ConnectorActivities = ReturnType<typeof createActivities>;
