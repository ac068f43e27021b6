/** Tunables a test may change while the simulator runs. */
export interface SimSettings {
  latencyMs: number;
  /** Extra random latency in [0, latencyJitterMs) added to each request. */
  latencyJitterMs: number;
  batchItemLatencyMs: number;
  maxConnections: number;
  /** Waits before each webhook redelivery after a non-2xx answer (Mailchimp: minutes, growing). */
  webhookRetryDelaysMs: number[];
  webhookTimeoutMs: number;
}

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
