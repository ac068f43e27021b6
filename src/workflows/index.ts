// The worker bundles this file: every workflow the connector runs is exported from here.
export { healthCheck } from './health.js';
export { recordWebhookEvent } from './webhook-event.js';
export { customerSync } from './customer-sync.js';
export { syncStateWorkflow } from './sync-state.js';
export { orderSync } from './order-sync.js';
export { reconcileOrders } from './reconcile-orders.js';
export { reconcileCustomers } from './reconcile-customers.js';
export { syncPlan } from './sync-plan.js';
export { connectionBudget } from './connection-budget.js';
