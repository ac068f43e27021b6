import { cancellationSignal } from '@temporalio/activity';
import type { MailchimpClient } from '../../mailchimp/client.js';
import type { BatchSubscribeOutcome } from '../../mailchimp/batch-subscribe.js';
import { outcomeErrorOf } from '../../mailchimp/members.js';
import type { TagSegments } from '../../mailchimp/tag-segments.js';
import { forEachBounded } from '../../shared/concurrency.js';
import type { PendingWrite } from './plan.js';
import type { PageOutcomes } from './outcomes.js';
import { tagInBulk } from './bulk-tags.js';
import { bulkCallSize } from './bulk-choice.js';

/** What the bulk path leaves to the PUT path. */
export interface PutAfterBulk {
  writes: PendingWrite[];
  /** Those the batch call created but a segment did not tag: their PUT adds the tags. */
  created: Set<PendingWrite>;
}

/**
 * Creates members new to the audience up to 500 a request (sized in bulk-choice.ts), then tags the
 * page's new members through static segments (bulk-tags.ts); a created member's outcome is settled
 * once its tags are applied, and sent with `beat`, so a retried attempt sends none of them again.
 * A member Mailchimp reports as existing, or whose refusal says nothing certain, is handed back for
 * the PUT path, as is a whole call Mailchimp refuses (a refusal of the request says nothing about
 * its members). A call that still fails after the HTTP layer's tries (5xx, 429, a reset) is each of
 * its members' transient outcome: the page's usual retry rule applies. Members created but not
 * settled when an attempt dies (tags not yet applied) are reported existing to the next attempt
 * and PUT, which tags them.
 */
export async function createInBulk(
  mailchimp: MailchimpClient,
  listId: string,
  members: readonly PendingWrite[],
  tags: TagSegments,
  outcomes: PageOutcomes,
  beat: () => void,
): Promise<PutAfterBulk> {
  const after: PutAfterBulk = { writes: [], created: new Set() };
  const connections = mailchimp.maxConnections;
  const size = bulkCallSize(members.length, connections);
  const calls: PendingWrite[][] = [];
  for (let i = 0; i < members.length; i += size) calls.push(members.slice(i, i + size));
  const created: PendingWrite[] = [];
  await forEachBounded(
    calls,
    connections,
    async (call) => {
      let answers: BatchSubscribeOutcome[];
      try {
        answers = await mailchimp.subscribeNew(
          listId,
          call.map((w) => w.member),
        );
      } catch (err) {
        const error = outcomeErrorOf(err);
        if (error.kind === 'permanent') after.writes.push(...call);
        else for (const w of call) outcomes.settle(w, { ok: false, error });
        beat();
        return;
      }
      call.forEach((w, i) => {
        const a = answers[i]!;
        if (a.kind === 'created') created.push(w);
        else if (a.kind === 'refused') outcomes.settle(w, { ok: false, error: a.error });
        else after.writes.push(w);
      });
      beat();
    },
    { signal: cancellationSignal() },
  );
  // One round of segment calls for the whole page: a tag's members from every call go together.
  const untagged = await tagInBulk(tags, created, connections);
  for (const w of created) {
    const problem = untagged.get(w);
    if (problem === undefined) outcomes.settle(w, { ok: true, action: 'created' });
    else if (problem === 'put') {
      after.writes.push(w);
      after.created.add(w);
    } else outcomes.settle(w, { ok: false, error: problem });
  }
  beat();
  return after;
}
