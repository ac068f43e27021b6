import { ApplicationFailure } from '@temporalio/common';
import type { OutcomeError } from '../../mailchimp/types.js';
import { maskEmail } from '../../logging/redact.js';
import { recordFailure } from '../../domain/record-failure.js';
import type { PageCheckpoint } from './checkpoint.js';
import type { PendingWrite } from './plan.js';
import { EMAIL_CONFLICT_REASON } from './follow-email.js';

/** One member's outcome, whichever path wrote it. */
export type WriteOutcome = { ok: true; action: 'created' | 'updated' } | { ok: false; error: OutcomeError };

/**
 * Where a page's member outcomes are recorded, for the PUT and the bulk path alike: a written member
 * into the checkpoint, a refusal for good as failed at once; a transient error as failed only from a
 * late attempt on (src/domain/record-failure.ts). Before that it is kept, the rest of the page is
 * written, and `finish` fails the page so Temporal retries it: the retry re-sends only those members.
 */
export function pageOutcomes(checkpoint: PageCheckpoint, attempt: number) {
  const retryLater: OutcomeError[] = [];
  return {
    /** Records `outcome`; true when the write would have moved the customer's member onto an address another member has. */
    settle(w: PendingWrite, outcome: WriteOutcome): boolean {
      if (outcome.ok) {
        checkpoint.written.push([w.key, outcome.action, w.fp]);
        return false;
      }
      const email = maskEmail(w.member.email);
      if (w.memberId && outcome.error.title === 'Member Exists') {
        checkpoint.failed.push({
          key: w.key,
          email,
          reason: EMAIL_CONFLICT_REASON,
          status: outcome.error.status,
        });
        return true;
      }
      const { kind, ...said } = outcome.error;
      const failure = recordFailure({ retryable: kind === 'retryable', ...said }, attempt, 'customers');
      if (failure) checkpoint.failed.push({ key: w.key, email, ...failure });
      else retryLater.push(outcome.error);
      return false;
    },

    /** Fails the page (retryable) when members are left for its next attempt. */
    finish(): void {
      if (retryLater.length === 0) return;
      const last = retryLater[retryLater.length - 1]!;
      throw ApplicationFailure.retryable(
        `${retryLater.length} member(s) answered with a retryable error (${[last.status, last.title].filter(Boolean).join(' ')})`,
        'MailchimpRetryableError',
      );
    },
  };
}

export type PageOutcomes = ReturnType<typeof pageOutcomes>;
