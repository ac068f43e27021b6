import type { AudienceSnapshot } from '../../mailchimp/audience-snapshot.js';
import { BATCH_SUBSCRIBE_MAX } from '../../mailchimp/batch-subscribe.js';
import { subscriberHash } from '../../mailchimp/hash.js';
import { isEmailShaped } from '../../mailchimp/members.js';
import type { PendingWrite } from './plan.js';
import { tagPieces } from './bulk-tags.js';

/**
 * With fewer members a call, the calls' own round trips outweigh spreading them over more
 * connections (a round trip costs what about 20 members do: 200 ms against 10 ms each).
 */
const MIN_CALL = 50;

/**
 * Members per batch call. Mailchimp spends time on each member while the call holds one of its
 * connections, so a page's new members are spread over the connections allowed rather than packed
 * 500 a call onto two; in two calls a connection (1,000 new members, 10 connections: 20 calls of
 * 50), so the segment calls of the first ones' members fill connections while the rest run.
 */
export function bulkCallSize(members: number, connections: number): number {
  return Math.min(BATCH_SUBSCRIBE_MAX, Math.max(MIN_CALL, Math.ceil(members / Math.max(1, 2 * connections))));
}

/**
 * Which of a page's writes create their member in bulk; the others take the PUT path.
 *
 * Bulk: a member the job's audience snapshot does not have (no member at the address, and no
 * member of the customer's to move there). Everything that exists in Mailchimp keeps today's PUT
 * with `status_if_new`, so its status is never touched; one the snapshot missed is reported as
 * existing by the batch call (`update_existing: false`) and PUT then. An address repeated within
 * the page, or one not shaped like an address (refused without a request), is left to the PUT path.
 *
 * Used only when it costs fewer requests: the batch calls plus a segment call or two per distinct
 * tag (bulk-tags.ts), against one PUT per member (a new member's tags ride in its PUT). A first
 * load (hundreds of new members a page, about a dozen distinct tags) goes in bulk at a few
 * hundredths of a request per member; a page with a handful of new customers, or a single one,
 * stays on PUT.
 */
export function chooseBulk(
  pending: readonly PendingWrite[],
  audience: AudienceSnapshot,
  connections: number,
): { bulk: PendingWrite[]; put: PendingWrite[] } {
  const seen = new Set<string>();
  const bulk: PendingWrite[] = [];
  const put: PendingWrite[] = [];
  for (const w of pending) {
    const hash = subscriberHash(w.member.email);
    const isNew =
      !w.memberId &&
      !seen.has(hash) &&
      audience.statusOf(hash) === undefined &&
      isEmailShaped(w.member.email);
    seen.add(hash);
    (isNew ? bulk : put).push(w);
  }
  const calls = Math.ceil(bulk.length / bulkCallSize(bulk.length, connections));
  const requests = calls + tagPieces(bulk, connections).length;
  return requests < bulk.length ? { bulk, put } : { bulk: [], put: [...pending] };
}
