import { cancellationSignal } from '@temporalio/activity';
import type { MailchimpClient } from '../../mailchimp/client.js';
import type { BatchSubscribeOutcome } from '../../mailchimp/batch-subscribe.js';
import { outcomeErrorOf, wantedTags } from '../../mailchimp/members.js';
import type { TagSegments } from '../../mailchimp/tag-segments.js';
import type { OutcomeError } from '../../mailchimp/types.js';
import { forEachBounded } from '../../shared/concurrency.js';
import type { PendingWrite } from './plan.js';
import type { PageOutcomes } from './outcomes.js';
import { tagPiece, tagPieces } from './bulk-tags.js';
import { bulkCallSize } from './bulk-choice.js';

/** What the bulk path leaves to the PUT path. */
export interface PutAfterBulk {
  writes: PendingWrite[];
  /** Those the batch call created but a segment did not tag: their PUT adds the tags. */
  created: Set<PendingWrite>;
}

/**
 * Creates members new to the audience up to 500 a request (sized in bulk-choice.ts) and tags them
 * through static segments (bulk-tags.ts). A segment call goes out as soon as the batch calls that
 * create its members have answered, not after all of them, so the connections do not idle between
 * the two kinds of call. A created member's outcome is settled once its tags are applied, and sent
 * with `beat`, so a retried attempt sends none of them again.
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
  // Members with the same tags share calls: a tag's pieces then wait on few calls, and go out
  // while the later calls still run.
  const byTags = [...members].sort((a, b) => tagKey(a).localeCompare(tagKey(b)));
  for (let i = 0; i < byTags.length; i += size) calls.push(byTags.slice(i, i + size));
  const callOf = new Map(calls.flatMap((call, i) => call.map((w) => [w, i] as const)));
  // A tag's members from every call still go together: pieces are cut from the whole page.
  const pieces = tagPieces(members, connections).map((p) => ({
    ...p,
    waitingFor: new Set(p.members.map((w) => callOf.get(w)!)),
  }));
  const created = new Set<PendingWrite>();
  const untagged = new Map<PendingWrite, OutcomeError | 'put'>();
  const tagging: Array<Promise<void>> = [];
  const answered = (call: number) => {
    for (const p of pieces) {
      if (!p.waitingFor.delete(call) || p.waitingFor.size > 0) continue;
      const toTag = p.members.filter((w) => created.has(w));
      if (toTag.length > 0) tagging.push(tagPiece(tags, { tag: p.tag, members: toTag }, untagged));
    }
  };
  await forEachBounded(
    calls.map((call, i) => ({ call, i })),
    connections,
    async ({ call, i }) => {
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
        answered(i);
        beat();
        return;
      }
      call.forEach((w, j) => {
        const a = answers[j]!;
        if (a.kind === 'created') created.add(w);
        else if (a.kind === 'refused') outcomes.settle(w, { ok: false, error: a.error });
        else after.writes.push(w);
      });
      answered(i);
      beat();
    },
    { signal: cancellationSignal() },
  );
  await Promise.all(tagging);
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

const tagKey = (w: PendingWrite) => wantedTags(w.member.tags).join('\n');
