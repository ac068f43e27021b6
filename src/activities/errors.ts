import { ApplicationFailure } from '@temporalio/common';

/** A setting the job needs is missing or contradicts the job (not fixed by retrying). */
export class SyncConfigurationError extends Error {
  override readonly name = 'SyncConfigurationError';
}

/**
 * Turns a client error into what Temporal should do with it: errors the client marks
 * `retryable: false` (bad credentials, a refused query) stop retries at once; everything else is
 * thrown as is and retried by the activity's retry policy.
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof Error && (err as { retryable?: unknown }).retryable === false) {
    return ApplicationFailure.nonRetryable(err.message, err.name);
  }
  if (err instanceof SyncConfigurationError) return ApplicationFailure.nonRetryable(err.message, err.name);
  return err;
}
