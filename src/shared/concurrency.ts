import pLimit, { type LimitFunction } from 'p-limit';
import pMap from 'p-map';

/**
 * The one shape for bounded concurrency in the connector: a shared limit on calls to an outside
 * system (Sage sessions, Mailchimp connections) and a bounded walk over a page's records.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** The current cap; only ever lowered, so two configurations sharing a credential get the stricter one. */
  readonly limit: number;
  readonly inFlight: number;
  lowerTo(limit: number): void;
}

export function createLimiter(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1)
    throw new Error(`concurrency must be a whole number >= 1, got ${max}`);
  const limit: LimitFunction = pLimit(max);
  return {
    run: (task) => limit(task),
    get limit() {
      return limit.concurrency;
    },
    get inFlight() {
      return limit.activeCount;
    },
    lowerTo(n: number) {
      if (n < limit.concurrency) limit.concurrency = n;
    },
  };
}

/**
 * Runs `fn` over `items` with at most `concurrency` at once. Once one call fails, or `signal`
 * aborts (an activity's cancellation signal), no further item is started and the error is thrown
 * at once; the calls already in flight finish on their own (at most `concurrency - 1` of them): a
 * failed activity must not keep starting writes behind Temporal's back.
 */
export async function forEachBounded<T>(
  items: Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
  options: { signal?: AbortSignal } = {},
): Promise<void> {
  await pMap(items, fn, { concurrency: Math.max(1, concurrency), stopOnError: true, signal: options.signal });
}
