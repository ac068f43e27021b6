import type { InvalidRow } from './schemas.js';

/**
 * Sage 300 failures, classified once here so activities and Temporal retry policies only look at
 * `retryable`. Messages never contain credentials or Authorization headers.
 */
export interface Sage300ErrorDetails {
  status?: number;
  code?: string;
  retryable: boolean;
}

export class Sage300Error extends Error {
  override name = 'Sage300Error';
  readonly status?: number;
  /** Sage's error code (RecordNotFound, InvalidParameters, ...) or a Node error code (ETIMEDOUT, ...). */
  readonly code?: string;
  readonly retryable: boolean;
  constructor(message: string, details: Sage300ErrorDetails) {
    super(message);
    this.status = details.status;
    this.code = details.code;
    this.retryable = details.retryable;
  }
}

/** 401/403: the user must fix credentials or rights; retrying cannot help. */
export class Sage300AuthError extends Sage300Error {
  override name = 'Sage300AuthError';
  constructor(message: string, details: { status?: number; code?: string }) {
    super(message, { ...details, retryable: false });
  }
}

/** 400: our query is wrong (a bug on our side); `query` is the decoded request so it can be fixed. */
export class Sage300QueryError extends Sage300Error {
  override name = 'Sage300QueryError';
  constructor(
    message: string,
    readonly query: string,
    details: { status?: number; code?: string },
  ) {
    super(message, { ...details, retryable: false });
  }
}

/** 404: no record with that key (or an unknown entity set when code is ResourceNotFound). */
export class Sage300NotFoundError extends Sage300Error {
  override name = 'Sage300NotFoundError';
  constructor(message: string, details: { status?: number; code?: string }) {
    super(message, { ...details, retryable: false });
  }
}

/** A record Sage sent that fails the schema: a data problem to fix in Sage, recorded on that record. */
export class Sage300MalformedRecordError extends Sage300Error {
  override name = 'Sage300MalformedRecordError';
  constructor(
    message: string,
    readonly invalid: InvalidRow,
  ) {
    super(message, { code: 'InvalidResponse', retryable: false });
  }
}

/** 409/423/429/5xx, timeouts and resets: Sage was busy, locked or restarting. */
export class Sage300RetryableError extends Sage300Error {
  override name = 'Sage300RetryableError';
  constructor(
    message: string,
    details: { status?: number; code?: string },
    /** Seconds from a Retry-After header, when the server sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message, { ...details, retryable: true });
  }
}

/** The `{ error: { code, message: { lang, value } } }` body, parsed whatever the content type said. */
export function parseSageErrorBody(body: string | undefined): { code?: string; message?: string } {
  if (!body) return {};
  try {
    const parsed = JSON.parse(body) as {
      error?: { code?: unknown; message?: unknown };
      Message?: unknown;
      message?: unknown;
    };
    const err = parsed?.error;
    if (err && typeof err === 'object') {
      const m = err.message;
      const message =
        typeof m === 'string'
          ? m
          : m && typeof m === 'object' && typeof (m as { value?: unknown }).value === 'string'
            ? (m as { value: string }).value
            : undefined;
      return { code: typeof err.code === 'string' ? err.code : undefined, message };
    }
    // ASP.NET's own errors (before Sage's code runs) use { Message: "..." }.
    const other = parsed?.Message ?? parsed?.message;
    return typeof other === 'string' ? { message: other } : {};
  } catch {
    const text = body.trim().slice(0, 300);
    return text ? { message: text } : {};
  }
}

const RETRYABLE_STATUS = new Set([408, 409, 423, 429]);

export interface HttpFailure {
  status: number;
  body?: string;
  retryAfter?: string;
  /** Decoded method + path + query, for query errors. */
  request: string;
  /** Module of the request (AR, OE, IC), for the rights hint. */
  module?: string;
}

export function classifyHttpFailure(f: HttpFailure): Sage300Error {
  const { code, message } = parseSageErrorBody(f.body);
  const said = message ? `: ${message}` : '';
  const tag = `HTTP ${f.status}${code ? ` ${code}` : ''}`;
  if (f.status === 401 || f.status === 403) {
    const what = f.status === 401 ? 'rejected the credentials' : 'refused access';
    return new Sage300AuthError(
      `Sage 300 ${what} (${tag}${said}). Check SAGE300_USERNAME (the user ID is sent upper-case) and ` +
        `SAGE300_PASSWORD (upper-cased unless SAGE300_PRESERVE_PASSWORD_CASE=true, needed for case-sensitive ` +
        `complex passwords), SAGE300_COMPANY, that the user's security group has the "Sage 300 Web API" right ` +
        `for module ${f.module ?? 'AR/OE/IC'}, and that ADMIN is blocked from the Web API unless ` +
        `AllowWebApiAccessForAdmin=true is set in the Web.config files.`,
      { status: f.status, code },
    );
  }
  if (f.status === 400) {
    return new Sage300QueryError(
      `Sage 300 rejected the query (${tag}${said}); this is a bug in the connector's query: ${f.request}`,
      f.request,
      { status: 400, code },
    );
  }
  if (f.status === 404) {
    return new Sage300NotFoundError(`Sage 300 found nothing at ${f.request} (${tag}${said})`, {
      status: 404,
      code,
    });
  }
  if (RETRYABLE_STATUS.has(f.status) || f.status >= 500) {
    const seconds = f.retryAfter !== undefined ? Number(f.retryAfter) : undefined;
    return new Sage300RetryableError(
      `Sage 300 is busy or failing (${tag}${said}) for ${f.request}; if it lasts, check the IIS ` +
        `application pool and the Web API logs (a 429 also means SAGE300_MAX_CONCURRENCY is above what it takes)`,
      { status: f.status, code },
      seconds !== undefined && Number.isFinite(seconds) ? seconds : undefined,
    );
  }
  return new Sage300Error(`Sage 300 answered ${tag}${said} for ${f.request}`, {
    status: f.status,
    code,
    retryable: false,
  });
}

const RETRYABLE_NETWORK = new Set([
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ERR_GOT_REQUEST_ERROR',
]);

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|HOSTNAME/;

/** Network-level failures from got: copy code and message only (got errors carry request options). */
export function classifyNetworkFailure(
  err: { code?: string; message?: string; name?: string },
  request: string,
) {
  const code = err.code;
  if (err.name === 'TimeoutError' || code === 'ETIMEDOUT') {
    return new Sage300RetryableError(
      `Sage 300 did not answer in time for ${request} (a hung request or a slow IIS cold start; SAGE300_TIMEOUT_MS ` +
        `sets the wait): ${err.message}`,
      { code: 'ETIMEDOUT' },
    );
  }
  if (code && TLS_CODES.test(code)) {
    return new Sage300Error(
      `TLS to Sage 300 failed (${code}): ${err.message}. If IIS uses a certificate from a private CA, set ` +
        `SAGE300_CA_FILE to that CA's PEM file.`,
      { code, retryable: false },
    );
  }
  if (code && RETRYABLE_NETWORK.has(code)) {
    return new Sage300RetryableError(
      `Network error talking to Sage 300 (${code}) for ${request}: ${err.message}. Check SAGE300_BASE_URL and ` +
        `that the Sage 300 Web API (IIS) answers from this machine`,
      {
        code,
      },
    );
  }
  return new Sage300Error(`Request to Sage 300 failed for ${request}: ${err.message ?? String(err)}`, {
    code,
    retryable: false,
  });
}
