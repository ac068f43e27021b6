import { maskEmail } from '../logging/redact.js';
import { MailchimpAuthError, MailchimpError } from '../mailchimp/errors.js';
import type { InvalidRow } from '../sage300/schemas.js';

/** From this attempt of a page activity on, a transient error on one record is recorded on it. */
export const RECORD_TRANSIENT_FROM_ATTEMPT = 3;

export type SyncStream = 'customers' | 'orders';

/** What Mailchimp answered to one record's write: a thrown error (orders) or a bulk outcome (customers). */
export interface WriteError {
  retryable: boolean;
  status?: number;
  title?: string;
  detail?: string;
  /** Used when Mailchimp said nothing (no title or detail), e.g. a connection reset. */
  message?: string;
}

/** A record's failure as its page records it. */
export interface RecordFailure {
  reason: string;
  status?: number;
  retryable?: boolean;
}

/** The record-level view of a thrown error; undefined when it is not about one record (bad credentials, a bug). */
export function writeErrorOf(err: unknown): WriteError | undefined {
  if (!(err instanceof MailchimpError) || err instanceof MailchimpAuthError) return undefined;
  return {
    retryable: err.retryable,
    status: err.status,
    title: err.title,
    detail: err.detail,
    message: err.message,
  };
}

/** How each stream words a transient failure in its trail (as released in 0.1.0; audits show it). */
const TRANSIENT_REASON: Record<SyncStream, (said: string, attempt: number) => string> = {
  customers: (said, attempt) =>
    `retryable error, still failing on attempt ${attempt}: ${said || 'no answer'}`,
  orders: (said) => `(retryable) ${said}`,
};

/**
 * The one rule, for both streams, on an error writing one record. It is recorded as that record's
 * failure when retrying cannot fix it (400, 404, 405, an unexpected answer...), and when it is
 * transient (5xx, 429, a reset, already retried by the client) from the page's third attempt on:
 * one bad record must not fail every run; marked retryable, it holds the watermark and replay
 * re-sends it. Undefined means the error is thrown instead: bad credentials and bugs stop the job,
 * early transient errors let Temporal retry the page. The reason is masked: Mailchimp's detail
 * often quotes the address.
 */
export function recordFailure(
  error: WriteError | undefined,
  attempt: number,
  stream: SyncStream,
): RecordFailure | undefined {
  if (!error) return undefined;
  if (error.retryable && attempt < RECORD_TRANSIENT_FROM_ATTEMPT) return undefined;
  const said = [error.title, error.detail].filter(Boolean).join(': ') || (error.message ?? '');
  const reason = error.retryable ? TRANSIENT_REASON[stream](said, attempt) : said;
  return {
    reason: maskEmail(reason) || 'rejected',
    ...(error.status ? { status: error.status } : {}),
    ...(error.retryable ? { retryable: true } : {}),
  };
}

/**
 * A row Sage sent that fails the schema, as its page records it. Not retryable: a person fixes it in
 * Sage, then `replay` reads it again by key. So, like any refused record, it does not hold the
 * watermark; the rest of its page is synced.
 */
export function malformedRow(row: InvalidRow): { key: string; field: string; reason: string } {
  return { key: row.key, field: row.field, reason: `malformed in Sage: ${row.field}: ${row.problem}` };
}
