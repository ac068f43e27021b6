/**
 * Mailchimp failures, classified so callers know what to do with them:
 * - MailchimpAuthError: the credentials are wrong; fail the job and tell the user which setting to fix.
 * - MailchimpRecordError: this one record can never be written as sent; record it, never retry it.
 * - MailchimpRetryableError: the service is busy or down (429, 5xx, timeouts, resets); try again later.
 * Messages never carry the API key or token (the HTTP layer scrubs them before building an error).
 */
export interface ProblemFields {
  status?: number;
  title?: string;
  detail?: string;
  /** Field-level validation errors of an `Invalid Resource` problem. */
  errors?: { field?: string; message?: string }[];
}

export class MailchimpError extends Error {
  override name = 'MailchimpError';
  readonly status?: number;
  readonly title?: string;
  readonly detail?: string;
  readonly errors?: { field?: string; message?: string }[];
  readonly retryable: boolean;
  /** Network error code (ETIMEDOUT, ECONNRESET, ...) when there was no HTTP answer. */
  readonly code?: string;

  constructor(message: string, fields: ProblemFields & { retryable?: boolean; code?: string } = {}) {
    super(message);
    this.status = fields.status;
    this.title = fields.title;
    this.detail = fields.detail;
    this.errors = fields.errors;
    this.retryable = fields.retryable ?? false;
    this.code = fields.code;
  }
}

export class MailchimpAuthError extends MailchimpError {
  override name = 'MailchimpAuthError';
  constructor(message: string, fields: ProblemFields = {}) {
    super(message, { ...fields, retryable: false });
  }
}

export class MailchimpRecordError extends MailchimpError {
  override name = 'MailchimpRecordError';
  constructor(message: string, fields: ProblemFields = {}) {
    super(message, { ...fields, retryable: false });
  }
}

export class MailchimpNotFoundError extends MailchimpError {
  override name = 'MailchimpNotFoundError';
  constructor(message: string, fields: ProblemFields = {}) {
    super(message, { ...fields, retryable: false });
  }
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND', // DNS hiccups are usually brief; a wrong host still fails after the bounded tries
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** A network failure (no HTTP answer) that usually clears by itself. */
export function isTransientNetworkCode(code: string | undefined): boolean {
  return code !== undefined && (TRANSIENT_NETWORK_CODES.has(code) || code.startsWith('ERR_SOCKET'));
}

/** What the HTTP layer repeats within one request: a 429, a 5xx, or a brief network failure. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof MailchimpError)) return false;
  if (err.status !== undefined) return err.status === 429 || err.status >= 500;
  return isTransientNetworkCode(err.code);
}

export class MailchimpRetryableError extends MailchimpError {
  override name = 'MailchimpRetryableError';
  constructor(message: string, fields: ProblemFields & { code?: string } = {}) {
    super(message, { ...fields, retryable: true });
  }
}
