import type { OrderComparison } from './types.js';

export interface RepairPlan {
  /** Sage keys (OrderUniquifier) of the missing and different orders: one order job re-sends them. */
  resend: number[];
  /** Store order ids gone from Sage: cancelled (SYNC_RECONCILE_GONE=cancel) or only reported. */
  gone: string[];
}

/** What `reconcile orders --repair` does about a comparison's differences (every one is listed: not truncated). */
export function repairPlan(c: Pick<OrderComparison, 'differences'>): RepairPlan {
  const resend = new Set<number>();
  const gone: string[] = [];
  for (const d of c.differences) {
    if (d.kind === 'gone') gone.push(d.orderId);
    else if (d.key !== undefined) resend.add(d.key);
  }
  return { resend: [...resend], gone };
}
