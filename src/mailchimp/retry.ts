export interface RetryPolicy {
  /** Tries per request, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 20_000 };

/**
 * Exponential backoff with "equal jitter": half the delay is fixed, half random. Mailchimp sends no
 * Retry-After, and the jitter keeps parallel requests that hit a 429 together from retrying together.
 */
export function backoffDelay(policy: RetryPolicy, failedAttempt: number, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
