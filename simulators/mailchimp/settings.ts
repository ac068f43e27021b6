/** Tunables a test may change while the simulator runs. */
export interface SimSettings {
  latencyMs: number;
  /** Extra random latency in [0, latencyJitterMs) added to each request. */
  latencyJitterMs: number;
  batchItemLatencyMs: number;
  /**
   * What each member of a bulk call (batch subscribe, static segment members_to_add/members_to_remove,
   * static_segment on create/update) adds to that request's latency, on top of `latencyMs`. The request
   * holds its connection slot for the whole time, so a bulk call is never free under the connection cap.
   */
  bulkPerMemberMs: number;
  maxConnections: number;
  /** Waits before each webhook redelivery after a non-2xx answer (Mailchimp: minutes, growing). */
  webhookRetryDelaysMs: number[];
  webhookTimeoutMs: number;
}

/**
 * Default for `bulkPerMemberMs`. Mailchimp publishes no figure, so it is bracketed by what callers report:
 * - at least ~5 ms/member: 20,000 static-segment adds in one call outlasted a 100 s client timeout
 *   (danesparza/MailChimp.NET#208);
 * - under ~100 ms/member on a normal day: 1,000-member batch (un)subscribes fit a 100 s timeout until the
 *   API slowed down (danesparza/MailChimp.NET#165), and 500 members must fit the 120 s cut-off with room;
 * - a /batches job of 110 member writes ran 8 s, ~70 ms per operation including queueing
 *   (drewm/mailchimp-api#198).
 * 10 ms sits at the cheap end of that range. It is a real-world figure, beside a real round trip of
 * ~200 ms: the benchmark, whose requests take less, scales it down by the same factor
 * (bench/cost-model.ts). docs/benchmarks.md "Simulator cost model" repeats the reasoning.
 */
export const DEFAULT_BULK_PER_MEMBER_MS = 10;

export interface FaultSettings {
  /** Share of API requests (0..1) answered with one of `errorStatuses`. */
  errorRate?: number;
  errorStatuses?: number[];
  /** Overrides the configured per-request latency while set. */
  latencyMs?: number;
  /** Share of API requests (0..1) that get no answer; the connection is dropped after `hangMs`. */
  hangRate?: number;
  /** How long a hung request holds its connection before it is dropped (Mailchimp cuts calls at 120 s). */
  hangMs?: number;
  /** Targeted faults: requests matching a rule are answered with its status (checked in order). */
  rules?: FaultRule[];
}

/**
 * One targeted fault, for tests that need one record or one call to fail. `path` is matched against
 * the path after `/3.0` (a string must be equal, a RegExp must match). The first `skip` matches pass,
 * then at most `times` (default: all) are answered with `status`. With `afterApply` the request is
 * carried out first and only its answer is replaced (a write that happened though the caller saw an
 * error).
 */
export interface FaultRule {
  method?: string;
  path: string | RegExp;
  status: number;
  title?: string;
  detail?: string;
  skip?: number;
  times?: number;
  afterApply?: boolean;
}

export class Faults {
  private current: FaultSettings = {};
  set(f: FaultSettings): void {
    this.current = { ...this.current, ...f };
  }
  clear(): void {
    this.current = {};
  }
  get value(): Readonly<FaultSettings> {
    return this.current;
  }
}

export const STATUS_TITLES: Record<number, string> = {
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
