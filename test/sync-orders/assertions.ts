import { expect } from '@jest/globals';
import type { SyncJobResult } from '../../src/workflows/types.js';
import type { classifyOrders } from './expected.js';
import { STORE_ID, createdOnce, orderCreations, readStoreOrders, type OrderHarness } from './harness.js';

/**
 * What every interrupted backfill must end with: each expected order created by exactly one
 * successful POST (a re-done page updates, never re-creates), with its total, counted once, the
 * refused and data-fixable ones recorded failed, and the store's is_syncing off.
 */
export async function expectBackfilledExactlyOnce(
  h: OrderHarness,
  result: SyncJobResult,
  { orders: expected, rejected, dataFixable }: ReturnType<typeof classifyOrders>,
): Promise<void> {
  expect(result.status).toBe(rejected.size + dataFixable.size > 0 ? 'completed_with_failures' : 'completed');
  const orders = await readStoreOrders(h);
  expect(orderCreations(h)).toEqual(createdOnce(expected.keys()));
  expect(new Set(orders.map((o) => o.id))).toEqual(new Set(expected.keys()));
  for (const o of orders) expect(o.order_total).toBe(expected.get(o.id)!.total);
  expect(result.counts.created + result.counts.updated).toBe(expected.size);
  expect(result.counts.failed).toBe(rejected.size + dataFixable.size);
  const store = await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`);
  expect(store.is_syncing).toBe(false);
}
