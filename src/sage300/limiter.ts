/** A counting semaphore: Sage opens a session (and may hold a licence seat) per concurrent request. */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new Error(`concurrency must be a whole number >= 1, got ${max}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter, so `active` never dips and lets a newcomer jump ahead.
      if (next) next();
      else this.active--;
    }
  }
}

const perLogin = new Map<string, ConcurrencyLimiter>();

/** One limiter per Sage login in this process, shared by every client that uses it. */
export function limiterForLogin(loginKey: string, max: number): ConcurrencyLimiter {
  const key = `${loginKey}#${max}`;
  let limiter = perLogin.get(key);
  if (!limiter) {
    limiter = new ConcurrencyLimiter(max);
    perLogin.set(key, limiter);
  }
  return limiter;
}
