import { activityInfo } from '@temporalio/activity';
import type { AudienceSnapshot } from '../../mailchimp/audience-snapshot.js';
import type { MailchimpClient } from '../../mailchimp/client.js';
import type { TagSegments } from '../../mailchimp/tag-segments.js';
import type { PageCheckpoint } from './checkpoint.js';
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
 * finish). With `bulk`, members new to the audience are created in bulk first (bulk-choice.ts);
 * the rest, and those the bulk path hands back, then go through the PUT path. A transient error
 * early in the page's attempts fails the page after the rest is written (outcomes.ts).
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
  let createdInBulk = new Set<PendingWrite>();
  if (bulk && split.bulk.length > 0) {
    const after = await createInBulk(mailchimp, listId, split.bulk, bulk.tags, outcomes, beat);
    split.put.push(...after.writes);
    createdInBulk = after.created;
  }
  await putMembers(mailchimp, listId, split.put, outcomes, beat, createdInBulk);
  outcomes.finish();
}
