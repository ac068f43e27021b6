import pLimit, { type LimitFunction } from 'p-limit';
import pMap from 'p-map';

/**
 * The one shape for bounded concurrency in the connector: a shared limit on calls to an outside
 * system (Sage sessions, Mailchimp connections) and a bounded walk over a page's records.
 */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** The cap of this process on its own; only ever lowered, so two configurations sharing a credential get the stricter one. */
  readonly ceiling: number;
  /** The cap now: the ceiling, or the share `resize` set when lower (0: new tasks wait). */
  readonly limit: number;
  /** Tasks running now (not those waiting for a slot). */
  readonly inFlight: number;
  /** Tasks waiting for a slot. */
  readonly waiting: number;
  /** Tasks handed to `run` so far: tells a limiter used since some moment from an idle one. */
  readonly submitted: number;
  lowerTo(limit: number): void;
  /**
   * This process's share of a cap that several processes share (Mailchimp's connections per key):
   * raised or lowered at run time, never above the ceiling. 0 holds new tasks until a later share;
   * tasks already running finish.
   */
  resize(share: number): void;
  /** Like a share of 0, but the tasks waiting now and those that come fail with `err`, until the next `resize`. */
  refuse(err: Error): void;
  /** Settles once the limiter has work: at once when tasks run or wait, else at the next `run`. */
  whenBusy(): Promise<void>;
}

interface Gate {
  promise: Promise<void>;
  open(): void;
  fail(err: Error): void;
}

function closedGate(): Gate {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  promise.catch(() => undefined); // a refusal with nobody waiting is not an unhandled rejection
  return { promise, open, fail };
}

export function createLimiter(max: number): Limiter {
  if (!Number.isInteger(max) || max < 1)
    throw new Error(`concurrency must be a whole number >= 1, got ${max}`);
  const limit: LimitFunction = pLimit(max);
  let ceiling = max;
  let share = Infinity;
  let running = 0;
  let held = 0;
  let submitted = 0;
  // Set while the share is 0. p-limit cannot run 0 at once: its one slot waits here instead.
  let gate: Gate | undefined;
  let refusal: Error | undefined;
  let wakers: Array<() => void> = [];
  const cap = () => Math.min(ceiling, share);
  const apply = () => {
    const n = cap();
    if (n > 0) {
      limit.concurrency = n;
      gate?.open();
      gate = undefined;
    } else {
      limit.concurrency = 1;
      gate ??= closedGate();
    }
  };
  return {
    run(task) {
      submitted++;
      const woken = wakers;
      wakers = [];
      for (const wake of woken) wake();
      return limit(async () => {
        while (gate) {
          if (refusal) throw refusal;
          held++;
          try {
            await gate.promise;
          } finally {
            held--;
          }
        }
        running++;
        try {
          return await task();
        } finally {
          running--;
        }
      });
    },
    get ceiling() {
      return ceiling;
    },
    get limit() {
      return cap();
    },
    get inFlight() {
      return running;
    },
    get waiting() {
      return limit.pendingCount + held;
    },
    get submitted() {
      return submitted;
    },
    lowerTo(n: number) {
      if (n < ceiling) ceiling = n;
      apply();
    },
    resize(n: number) {
      if (!Number.isInteger(n) || n < 0) throw new Error(`a share must be a whole number >= 0, got ${n}`);
      share = n;
      refusal = undefined;
      apply();
    },
    refuse(err: Error) {
      share = 0;
      refusal = err;
      apply();
      const refused = gate!;
      gate = closedGate();
      refused.fail(err);
    },
    whenBusy() {
      if (limit.activeCount + limit.pendingCount > 0) return Promise.resolve();
      return new Promise<void>((resolve) => wakers.push(resolve));
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
