import { ZERO_COUNTS, emptyTrail, type PageTrail, type SyncCounts } from '../../workflows/types.js';
import type { MemberPayload } from '../../domain/customers/mapping.js';
import { planCustomer, type CustomerPlanContext } from '../../domain/customers/plan.js';
import { malformedRow } from '../../domain/record-failure.js';
import type { CustomerPage } from './read.js';

/** A member the page must write, with what the watermark keeps of it once written. */
export interface PendingWrite {
  key: string;
  day?: string;
  fp: string;
  member: MemberPayload;
  /** The customer's member under its old address, when the address changed (follow-email.ts). */
  memberId?: string;
}

/** A page before its writes: outcomes known without Mailchimp, and the members to write. */
export interface CustomerPagePlan {
  counts: SyncCounts;
  trail: PageTrail;
  /** Key -> day and fingerprint of every record settled so far (the watermark's candidates). */
  fingerprints: Map<string, { day?: string; fp: string }>;
  toWrite: PendingWrite[];
}

/** Map and validate each record, skip duplicate losers, count boundary records synced as is unchanged. */
export function planCustomerPage(page: CustomerPage, ctx: CustomerPlanContext): CustomerPagePlan {
  const plan: CustomerPagePlan = {
    counts: { ...ZERO_COUNTS },
    trail: emptyTrail(),
    fingerprints: new Map(),
    toWrite: [],
  };
  const { counts, trail } = plan;
  for (const key of page.notFound) {
    counts.read++;
    counts.skipped++;
    trail.skipped.push({ key, reason: 'not found in Sage' });
  }
  for (const bad of page.invalid) {
    counts.read++;
    counts.failed++;
    trail.failed.push(malformedRow(bad));
  }
  for (const record of page.records) {
    counts.read++;
    const step = planCustomer(record, ctx);
    const { key, day, fp } = step;
    if (step.action === 'write') {
      plan.toWrite.push({ key, day, fp, member: step.member });
      if (step.adjusted) (trail.adjusted ??= []).push({ key, adjusted: step.adjusted });
      continue;
    }
    if (step.action === 'unchanged') {
      counts.unchanged++;
      trail.unchanged.push(key);
    } else {
      counts.skipped++;
      trail.skipped.push({ key, reason: step.reason, ...(step.email ? { email: step.email } : {}) });
    }
    plan.fingerprints.set(key, { day, fp });
  }
  return plan;
}
