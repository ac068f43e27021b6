import { maskEmail } from '../../logging/redact.js';
import { subscriberHash } from '../../mailchimp/hash.js';
import type { AudienceSnapshot } from '../../mailchimp/audience-snapshot.js';
import type { CustomerPagePlan } from './plan.js';

/** Why a customer whose member a marketer archived in Mailchimp is not written (SYNC_RESTORE_ARCHIVED). */
export const ARCHIVED_REASON = 'archived in Mailchimp';

/**
 * Members a marketer archived stay archived: Mailchimp unarchives a contact it is sent again (PUT),
 * so they leave the page's writes and are recorded skipped. They get no fingerprint: each time they
 * are read they are looked at again (unarchived meanwhile, they are written). The member a write
 * goes to is the customer's own when its address changes (`PendingWrite.memberId`).
 */
export function keepArchived(plan: CustomerPagePlan, audience: AudienceSnapshot): void {
  const held = new Set<string>();
  plan.toWrite = plan.toWrite.filter((w) => {
    const target = w.memberId ?? subscriberHash(w.member.email);
    if (audience.statusOf(target) !== 'archived') return true;
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
