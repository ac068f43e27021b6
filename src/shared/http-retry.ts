import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The one retry shape for a single HTTP request to an outside system: a bounded number of tries,
 * exponential backoff with jitter, stretched to the server's Retry-After. It sits inside each
 * system's HTTP layer, beside Temporal's activity retries, because a 429 or a reset connection is
 * routine and re-running a whole page activity for one of them costs far more than a short wait.
 * Each system passes its own numbers and its own idea of what is worth repeating (docs/retries.md).
 */
export interface RetryPolicy {
  /** Tries per request, the first one included. */
  maxAttempts: number;
  /** Wait after the first failed try; doubles per try. */
  baseDelayMs: number;
  /** Ceiling of any one wait, Retry-After included. */
  maxDelayMs: number;
}

/** `false`: repeating cannot help, thrown at once. Otherwise the server's hint, if it sent one. */
export type RetryVerdict = false | { retryAfterMs?: number };

export interface RetryOptions {
  policy: RetryPolicy;
  retryable(err: unknown): RetryVerdict;
  onRetry?(retry: { err: unknown; attempt: number; delayMs: number }): void;
}

/**
 * The wait after failed try `attempt` (1-based): "equal jitter", half of the doubled step fixed and
 * half random, so parallel requests that hit a 429 together do not all come back together; never
 * shorter than the server asked, never longer than `maxDelayMs`.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = step / 2 + random() * (step / 2);
  return Math.round(Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs)));
}

/** Runs `send` until it succeeds, fails with an error not worth repeating, or runs out of tries. */
export async function withRetries<T>(send: () => Promise<T>, options: RetryOptions): Promise<T> {
  const { policy } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const verdict = attempt < policy.maxAttempts ? options.retryable(err) : false;
      if (!verdict) throw err;
      const delayMs = retryDelay(policy, attempt, verdict.retryAfterMs);
      options.onRetry?.({ err, attempt, delayMs });
      await sleep(delayMs);
    }
  }
}
