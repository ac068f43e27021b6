export type CheckedSystem = 'sage300' | 'mailchimp';

export interface CheckResult {
  system: CheckedSystem;
  /** What was tried, e.g. `customers`, `ping`, `audience`. */
  check: string;
  ok: boolean;
  /** What happened, in plain words (server's answer included for failures). */
  detail: string;
  /** What to try, for failures. */
  hint?: string;
}

export interface CheckReport {
  ok: boolean;
  results: CheckResult[];
}

export interface Explanation {
  detail: string;
  hint?: string;
}
