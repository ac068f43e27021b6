import { ZERO_COUNTS, emptyTrail, type PageTrail, type SyncCounts } from '../../workflows/types.js';
import type { ProductInput } from '../../mailchimp/types.js';
import type { MappedOrderBody } from '../../domain/orders/mapping.js';
import { orderDay, planOrder } from '../../domain/orders/page.js';
import type { OrderJobPlan } from '../../domain/orders/plan.js';
import { malformedRow } from '../../domain/record-failure.js';
import type { OrderCheckpoint } from './checkpoint.js';
import type { OrderPage } from './read.js';

/** An order the page must send, and the products it needs in the store first. */
export interface PendingOrder {
  key: string;
  uniquifier: number;
  body: MappedOrderBody;
  productIds: string[];
}

/** One Sage page's outcomes so far, and what it still has to write. */
export interface OrderPagePlan {
  counts: SyncCounts;
  trail: PageTrail;
  toWrite: PendingOrder[];
  /** Every product the page's orders use, once. */
  products: ProductInput[];
}

/**
 * Maps each order (customers inline): data-fixable ones are recorded failed, unmappable ones
 * skipped. The checkpoint's high-water marks (latest day, highest uniquifier) take in every order read.
 */
export function planOrderPage(page: OrderPage, plan: OrderJobPlan, cp: OrderCheckpoint): OrderPagePlan {
  const counts: SyncCounts = { ...ZERO_COUNTS };
  const trail = emptyTrail();
  const toWrite: PendingOrder[] = [];
  const products = new Map<string, ProductInput>();
  const options = { includeQuotes: plan.includeQuotes, campaignField: plan.campaignField };
  for (const key of page.notFound) {
    counts.read++;
    counts.skipped++;
    trail.skipped.push({ key, reason: 'not found in Sage' });
  }
  for (const bad of page.invalid) {
    counts.read++;
    counts.failed++;
    trail.failed.push(malformedRow(bad));
    // Like any order read: a bad row above the watermark is not polled as new again and again.
    if (/^\d+$/.test(bad.key)) cp.maxUniquifier = Math.max(cp.maxUniquifier ?? 0, Number(bad.key));
  }
  for (const order of page.records) {
    const key = String(order.OrderUniquifier);
    counts.read++;
    cp.maxUniquifier = Math.max(cp.maxUniquifier ?? order.OrderUniquifier, order.OrderUniquifier);
    const day = orderDay(order, plan.today);
    if (day && (!cp.maxDay || day > cp.maxDay)) cp.maxDay = day;
    const step = planOrder(order, page.customers.get(order.CustomerNumber?.trim() ?? ''), options);
    if (step.action === 'write') {
      for (const p of step.products) if (!products.has(p.id)) products.set(p.id, p);
      toWrite.push({
        key,
        uniquifier: order.OrderUniquifier,
        body: step.body,
        productIds: step.products.map((p) => p.id),
      });
      if (step.adjusted) (trail.adjusted ??= []).push({ key, adjusted: step.adjusted });
      continue;
    }
    const { action, ...detail } = step;
    counts[action]++;
    trail[action].push({ key, ...detail });
  }
  return { counts, trail, toWrite, products: [...products.values()] };
}
