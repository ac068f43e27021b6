import { mulberry32 } from './prng.js';

export interface Sage300FaultSettings {
  /** Delay before every response. */
  latencyMs?: number;
  /** Share of requests (0..1) answered with one of `errorStatuses`. */
  errorRate?: number;
  /** Statuses used for injected errors, in rotation (default [500]). 409/423/429/5xx are what busy IIS sends. */
  errorStatuses?: number[];
  /** The next N requests fail with `errorStatuses` (deterministic, for retry tests). */
  failNext?: number;
  /** Share of requests (0..1) that never get an answer. */
  hangRate?: number;
  /** The first request after this is set waits this long (an IIS app pool waking up). */
  coldStartMs?: number;
  /** Retry-After seconds sent with injected 429/503. */
  retryAfterSeconds?: number;
}

export type FaultDecision =
  | { kind: 'none'; delayMs: number }
  | { kind: 'error'; status: number; delayMs: number; retryAfterSeconds?: number }
  | { kind: 'hang' };

export class FaultInjector {
  private settings: Sage300FaultSettings = {};
  private coldPending = false;
  private rotation = 0;
  private random: () => number;

  constructor(private readonly seed: number) {
    this.random = mulberry32(seed);
  }

  set(settings: Sage300FaultSettings): void {
    this.settings = { ...this.settings, ...settings };
    if (settings.coldStartMs) this.coldPending = true;
  }

  clear(): void {
    this.settings = {};
    this.coldPending = false;
    this.rotation = 0;
    this.random = mulberry32(this.seed);
  }

  decide(): FaultDecision {
    const s = this.settings;
    let delayMs = s.latencyMs ?? 0;
    if (this.coldPending) {
      this.coldPending = false;
      delayMs += s.coldStartMs ?? 0;
    }
    if (s.hangRate && this.random() < s.hangRate) return { kind: 'hang' };
    let fail = false;
    if (s.failNext && s.failNext > 0) {
      this.settings = { ...s, failNext: s.failNext - 1 };
      fail = true;
    } else if (s.errorRate && this.random() < s.errorRate) fail = true;
    if (!fail) return { kind: 'none', delayMs };
    const statuses = s.errorStatuses?.length ? s.errorStatuses : [500];
    const status = statuses[this.rotation++ % statuses.length]!;
    return { kind: 'error', status, delayMs, retryAfterSeconds: s.retryAfterSeconds };
  }
}
