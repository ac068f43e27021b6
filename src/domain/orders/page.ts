import type { ARCustomer } from '../../sage300/schemas.js';
import type { ProductInput } from '../../mailchimp/types.js';
import {
  dayOf,
  mapOrder,
  type MappedOrderBody,
  type OrderMappingOptions,
  type SageOrder,
} from './mapping.js';
import { addDays, type OrderJobPlan } from './plan.js';

/**
 * Orders that cannot be sent until someone fixes the customer in Sage: recorded `failed` (not
 * `skipped`) so `replay` re-reads and sends them once fixed; the watermark still moves past them.
 */
const DATA_FIXABLE: ReadonlySet<string> = new Set(['no-valid-email', 'customer-missing']);

/** What a page does with one Sage order. */
export type OrderStep =
  | { action: 'failed' | 'skipped'; reason: string; mailchimpId?: string }
  | { action: 'write'; body: MappedOrderBody; products: ProductInput[]; adjusted?: string[] };

export function planOrder(
  order: SageOrder,
  customer: ARCustomer | undefined,
  options: OrderMappingOptions,
): OrderStep {
  const mapped = mapOrder(order, customer, options);
  if (mapped.ok) {
    const { order: body, products, adjusted } = mapped;
    return { action: 'write', body, products, ...(adjusted ? { adjusted } : {}) };
  }
  // Fixed in Sage (an email added, the customer restored), it is sent by a replay.
  if (DATA_FIXABLE.has(mapped.reason)) {
    return { action: 'failed', reason: mapped.reason, mailchimpId: order.OrderNumber?.trim() };
  }
  return {
    action: 'skipped',
    reason: mapped.reason,
    ...(order.OrderNumber ? { mailchimpId: order.OrderNumber } : {}),
  };
}

/** An order's day for the watermark, capped at the job's start day (a future date must not move it ahead). */
export function orderDay(order: Pick<SageOrder, 'OrderDate'>, today: string): string | undefined {
  if (!order.OrderDate) return undefined;
  const day = dayOf(order.OrderDate);
  return day > today ? today : day;
}

/**
 * What a chunk of an order job tells the watermark: the latest order day seen (never before the
 * job's own lower bound), the highest uniquifier, and the day the next job reads completions from.
 * A replay (by keys) tells it nothing.
 */
export function chunkSeen(
  plan: OrderJobPlan,
  seen: { maxDay?: string; maxUniquifier?: number },
  replay: boolean,
): { day?: string; maxUniquifier?: number; readDay?: string } {
  if (replay) return {};
  const day = [plan.fromDay && !plan.backfill ? plan.fromDay : undefined, seen.maxDay]
    .filter((d): d is string => Boolean(d))
    .sort()
    .pop();
  const maxUniquifier = Math.max(plan.knownUpTo ?? -1, seen.maxUniquifier ?? -1);
  return {
    ...(day ? { day } : {}),
    ...(maxUniquifier >= 0 ? { maxUniquifier } : {}),
    // Orders completed from the day before this job started on are read by the next job: one day
    // of margin for a completion between the start and the read, or time zones.
    readDay: addDays(plan.today, -1),
  };
}
