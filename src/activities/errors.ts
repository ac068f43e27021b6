import { ApplicationFailure } from '@temporalio/common';
import { ConfigError } from '../config/index.js';
import type { PagePartial } from '../workflows/types.js';

/** A setting the job needs is missing or contradicts the job (not fixed by retrying). */
export class SyncConfigurationError extends Error {
  override readonly name = 'SyncConfigurationError';
}

export interface FailureOptions {
  /**
   * Cleanup that must happen (clearing is_syncing): every error is retried, refused credentials and
   * missing settings included, so a key fixed later still lets it finish.
   */
  mustFinish?: boolean;
  /** What a page had written before it failed: the failure's details (the job adds it to its counts). */
  partial?: PagePartial;
}

/** Retrying cannot fix it: refused credentials, a query Sage refuses, a missing or wrong setting. */
function isPermanent(err: unknown): boolean {
  return (
    err instanceof ConfigError ||
    err instanceof SyncConfigurationError ||
    (err instanceof Error && (err as { retryable?: unknown }).retryable === false)
  );
}

/**
 * The one place that decides what Temporal does with an activity's error: a permanent one stops
 * the work it is part of at once (no retry), anything else is retried by the activity's retry
 * policy, and cleanup retries everything. The message goes into the job's failure as it is: the
 * clients' errors name the setting to check and never carry credentials.
 */
export function toActivityFailure(err: unknown, options: FailureOptions = {}): unknown {
  const { mustFinish, partial } = options;
  if (!(err instanceof Error)) return err;
  const failure = err instanceof ApplicationFailure ? err : undefined;
  const wasNonRetryable = Boolean(failure?.nonRetryable);
  const nonRetryable = !mustFinish && (failure ? wasNonRetryable : isPermanent(err));
  // A plain error Temporal may retry keeps its own stack and type (the SDK sends its name as type).
  if (!partial && !nonRetryable && !wasNonRetryable) return err;
  if (!partial && failure && wasNonRetryable === nonRetryable) return failure;
  const converted = ApplicationFailure.create({
    message: err.message,
    type: failure?.type ?? err.name,
    nonRetryable,
    details: partial ? [partial] : (failure?.details ?? undefined),
  });
  converted.stack = err.stack;
  return converted;
}
