import { cancellationSignal } from '@temporalio/activity';
import type { MailchimpClient } from '../../mailchimp/client.js';
import { forEachBounded } from '../../shared/concurrency.js';
import type { PendingWrite } from './plan.js';
import type { PageOutcomes } from './outcomes.js';
import { EMAIL_CONFLICT_TAG } from './follow-email.js';

/** Members per upsertMembers call: enough to keep every allowed connection busy, small enough to heartbeat often. */
const WRITE_CHUNK = 50;
/** A few chunks at once: the next one fills the connections a finishing chunk leaves idle. */
const CHUNKS_IN_FLIGHT = 3;

/**
 * Writes each member with its own PUT (`status_if_new`, never `status`) and settles its outcome,
 * sent with `beat` after every chunk. A member the bulk path created but could not tag
 * (`createdInBulk`) counts as created, as it was.
 */
export async function putMembers(
  mailchimp: MailchimpClient,
  listId: string,
  writes: readonly PendingWrite[],
  outcomes: PageOutcomes,
  beat: () => void,
  createdInBulk: ReadonlySet<PendingWrite> = new Set(),
): Promise<void> {
  const chunks: PendingWrite[][] = [];
  for (let i = 0; i < writes.length; i += WRITE_CHUNK) chunks.push(writes.slice(i, i + WRITE_CHUNK));
  await forEachBounded(
    chunks,
    CHUNKS_IN_FLIGHT,
    async (chunk) => {
      const answers = await mailchimp.upsertMembers(
        listId,
        chunk.map((w) => (w.memberId ? { ...w.member, memberId: w.memberId } : w.member)),
      );
      const conflicts: string[] = [];
      answers.forEach((outcome, j) => {
        const w = chunk[j]!;
        const settled =
          outcome.ok && createdInBulk.has(w) ? { ...outcome, action: 'created' as const } : outcome;
        if (outcomes.settle(w, settled)) conflicts.push(w.memberId!);
      });
      for (const id of conflicts)
        await mailchimp.tagMember(listId, id, [{ name: EMAIL_CONFLICT_TAG, status: 'active' }]);
      beat();
    },
    { signal: cancellationSignal() },
  );
}
