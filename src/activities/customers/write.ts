import { activityInfo } from '@temporalio/activity';
import type { AudienceSnapshot } from '../../mailchimp/audience-snapshot.js';
import type { MailchimpClient } from '../../mailchimp/client.js';
import type { TagSegments } from '../../mailchimp/tag-segments.js';
import type { PageCheckpoint } from './checkpoint.js';
import { subscriberHash } from '../../mailchimp/hash.js';
import type { PendingWrite } from './plan.js';
import { pageOutcomes } from './outcomes.js';
import { putMembers } from './put-writes.js';
import { chooseBulk } from './bulk-choice.js';
import { createInBulk } from './bulk-create.js';

/** What the bulk path needs: the job's audience (who exists) and its tags' segments. */
export interface BulkContext {
  audience: AudienceSnapshot;
  tags: TagSegments;
}

/**
 * Writes a page's pending members, each outcome into the checkpoint (sent with `beat` as calls
 * finish). With `bulk`, members new to the audience are created in bulk (bulk-choice.ts) while the
 * PUTs of the others run beside them on the same connections; those the bulk path hands back, and
 * a PUT to an address the bulk path creates (whose answer depends on which comes first), go after.
 * A transient error early in the page's attempts fails the page after the rest is written
 * (outcomes.ts).
 */
export async function writeMembers(
  mailchimp: MailchimpClient,
  listId: string,
  pending: readonly PendingWrite[],
  checkpoint: PageCheckpoint,
  beat: () => void,
  bulk?: BulkContext,
): Promise<void> {
  const outcomes = pageOutcomes(checkpoint, activityInfo().attempt);
  const split = bulk
    ? chooseBulk(pending, bulk.audience, mailchimp.maxConnections)
    : { bulk: [], put: [...pending] };
  if (!bulk || split.bulk.length === 0) {
    await putMembers(mailchimp, listId, split.put, outcomes, beat);
    outcomes.finish();
    return;
  }
  const creating = new Set(split.bulk.map((w) => subscriberHash(w.member.email)));
  const [beside, later] = partition(split.put, (w) => !creating.has(subscriberHash(w.member.email)));
  const [after] = await Promise.all([
    createInBulk(mailchimp, listId, split.bulk, bulk.tags, outcomes, beat),
    putMembers(mailchimp, listId, beside, outcomes, beat),
  ]);
  await putMembers(mailchimp, listId, [...later, ...after.writes], outcomes, beat, after.created);
  outcomes.finish();
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
