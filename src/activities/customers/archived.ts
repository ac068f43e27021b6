import { maskEmail } from '../../logging/redact.js';
import { ARCHIVED_REASON } from '../archived.js';
import type { CustomerPagePlan } from './plan.js';

/**
 * Members a marketer archived stay archived: Mailchimp unarchives a contact it is sent again (PUT),
 * so they leave the page's writes and are recorded skipped. They get no fingerprint: each time they
 * are read they are looked at again (unarchived meanwhile, they are written).
 */
export function keepArchived(plan: CustomerPagePlan, archived: { has(email: string): boolean }): void {
  const held = new Set<string>();
  plan.toWrite = plan.toWrite.filter((w) => {
    if (!archived.has(w.member.email)) return true;
    held.add(w.key);
    plan.counts.skipped++;
    plan.trail.skipped.push({ key: w.key, reason: ARCHIVED_REASON, email: maskEmail(w.member.email) });
    return false;
  });
  if (held.size > 0 && plan.trail.adjusted) {
    plan.trail.adjusted = plan.trail.adjusted.filter((a) => !held.has(a.key));
    if (plan.trail.adjusted.length === 0) delete plan.trail.adjusted;
  }
}
