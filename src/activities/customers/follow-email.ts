import type { AudienceSnapshot } from '../../mailchimp/audience-snapshot.js';
import { subscriberHash } from '../../mailchimp/hash.js';
import type { PendingWrite } from './plan.js';

/** Set on a customer's member whose new address another member already has: a person decides. */
export const EMAIL_CONFLICT_TAG = 'sage-email-conflict';

/** How a refused address change is recorded on the customer. */
export const EMAIL_CONFLICT_REASON =
  `email changed in Sage to an address another Mailchimp member already has: not merged; ` +
  `the customer's member keeps its old address, tagged ${EMAIL_CONFLICT_TAG} for review`;

/**
 * One customer is one contact: when a customer's address changed in Sage, its write goes to the
 * member that carries its customer number (Mailchimp then moves that member to the new address,
 * keeping its status, tags and history) instead of creating a second member. A customer with a
 * member already at the new address is written there as usual. Returns how many writes move a member.
 */
export function followCustomers(toWrite: PendingWrite[], audience: AudienceSnapshot): number {
  let moved = 0;
  for (const w of toWrite) {
    const members = audience.membersOf(w.key);
    if (members.length === 0 || members.includes(subscriberHash(w.member.email))) continue;
    // Two members for one customer (left by 0.1.0): the one not archived moves, if any.
    w.memberId = members.find((id) => audience.statusOf(id) !== 'archived') ?? members[0]!;
    moved++;
  }
  return moved;
}
