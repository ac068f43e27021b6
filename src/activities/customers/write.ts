import { activityInfo, cancellationSignal } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { MailchimpClient } from '../../mailchimp/client.js';
import type { OutcomeError } from '../../mailchimp/types.js';
import { maskEmail } from '../../logging/redact.js';
import { forEachBounded } from '../../shared/concurrency.js';
import type { RecordDetail } from '../../workflows/types.js';
import { recordFailure } from '../../domain/record-failure.js';
import type { PendingWrite } from './plan.js';
import { EMAIL_CONFLICT_REASON, EMAIL_CONFLICT_TAG } from './follow-email.js';

/** Members written per bulk call: enough to keep every allowed connection busy, small enough to heartbeat often. */
const WRITE_CHUNK = 50;
/** A few chunks at once: the next one fills the connections a finishing chunk leaves idle. */
const CHUNKS_IN_FLIGHT = 3;

/**
 * Progress of a page kept in heartbeat details, so a retried attempt does not write twice. Its
 * shape is what attempts of other versions of this worker resume from: never change it.
 */
export interface PageCheckpoint {
  /** The fingerprint says which content was written: a record changed since is written again. */
  written: Array<[key: string, action: 'created' | 'updated', fp: string]>;
  failed: RecordDetail[];
}

/** What an earlier attempt of this page wrote and recorded failed, or a fresh start. */
export function resumeCheckpoint(): PageCheckpoint {
  return (activityInfo().heartbeatDetails as PageCheckpoint | undefined) ?? { written: [], failed: [] };
}

/**
 * The members still to write: not written with this content by an earlier attempt, nor recorded
 * failed. Writes of content the page no longer maps to leave the checkpoint.
 */
export function pendingWrites(checkpoint: PageCheckpoint, toWrite: readonly PendingWrite[]): PendingWrite[] {
  const id = (key: string, fp: string) => `${key}|${fp}`;
  const already = new Set(checkpoint.written.map(([key, , fp]) => id(key, fp)));
  const alreadyFailed = new Set(checkpoint.failed.map((f) => f.key));
  const current = new Set(toWrite.map((w) => id(w.key, w.fp)));
  checkpoint.written = checkpoint.written.filter(([key, , fp]) => current.has(id(key, fp)));
  return toWrite.filter((w) => !already.has(id(w.key, w.fp)) && !alreadyFailed.has(w.key));
}

/**
 * Writes the members in bulk chunks, each outcome into the checkpoint (sent with `beat` after every
 * chunk). A member refused for good is recorded failed at once; one Mailchimp still answers with a
 * transient error is recorded failed only from a late attempt on (src/domain/record-failure.ts).
 * Before that, the rest of the page is written first, then the page fails and Temporal retries it:
 * the retry re-sends only those members.
 */
export async function writeMembers(
  mailchimp: MailchimpClient,
  listId: string,
  pending: readonly PendingWrite[],
  checkpoint: PageCheckpoint,
  beat: () => void,
): Promise<void> {
  const attempt = activityInfo().attempt;
  const retryLater: OutcomeError[] = [];
  const chunks: PendingWrite[][] = [];
  for (let i = 0; i < pending.length; i += WRITE_CHUNK) chunks.push(pending.slice(i, i + WRITE_CHUNK));
  await forEachBounded(
    chunks,
    CHUNKS_IN_FLIGHT,
    async (chunk) => {
      const outcomes = await mailchimp.upsertMembers(
        listId,
        chunk.map((w) => (w.memberId ? { ...w.member, memberId: w.memberId } : w.member)),
      );
      const conflicts: string[] = [];
      outcomes.forEach((outcome, j) => {
        const w = chunk[j]!;
        if (outcome.ok) {
          checkpoint.written.push([w.key, outcome.action, w.fp]);
          return;
        }
        if (w.memberId && outcome.error.title === 'Member Exists') {
          conflicts.push(w.memberId);
          checkpoint.failed.push({
            key: w.key,
            email: maskEmail(w.member.email),
            reason: EMAIL_CONFLICT_REASON,
            status: outcome.error.status,
          });
          return;
        }
        const { kind, ...said } = outcome.error;
        const failure = recordFailure({ retryable: kind === 'retryable', ...said }, attempt, 'customers');
        if (failure) checkpoint.failed.push({ key: w.key, email: maskEmail(w.member.email), ...failure });
        else retryLater.push(outcome.error);
      });
      for (const id of conflicts)
        await mailchimp.tagMember(listId, id, [{ name: EMAIL_CONFLICT_TAG, status: 'active' }]);
      beat();
    },
    { signal: cancellationSignal() },
  );
  if (retryLater.length > 0) {
    const last = retryLater[retryLater.length - 1]!;
    throw ApplicationFailure.retryable(
      `${retryLater.length} member(s) answered with a retryable error (${[last.status, last.title].filter(Boolean).join(' ')})`,
      'MailchimpRetryableError',
    );
  }
}
