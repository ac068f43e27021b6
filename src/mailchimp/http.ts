import got, { type Got, type Method } from 'got';
import type { Logger } from '../logging/logger.js';
import {
  MailchimpAuthError,
  MailchimpError,
  MailchimpNotFoundError,
  MailchimpRecordError,
  MailchimpRetryableError,
  isTransient,
  isTransientNetworkCode,
  type ProblemFields,
} from './errors.js';
import type { MailchimpCredential } from './datacenter.js';
import type { CredentialChannel } from './limiter.js';
import type { Limiter } from '../shared/concurrency.js';
import { withRetries, type RetryPolicy } from '../shared/http-retry.js';
import { redactText } from '../logging/redact.js';

export interface RequestOptions {
  json?: unknown;
  searchParams?: Record<string, string | number | boolean>;
}

export interface MailchimpHttpOptions {
  baseUrl: string;
  credential: MailchimpCredential;
  channel: CredentialChannel;
  timeoutMs: number;
  retry: RetryPolicy;
  logger?: Logger;
}

/**
 * 5 tries, waits of 0.25-0.5, 0.5-1, 1-2 and 2-4 s (ceiling 20 s). Mailchimp sends no Retry-After;
 * more tries than Sage because a 429 from the 10-connection cap clears in well under a second.
 */
export const MAILCHIMP_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 20_000 };

/** Which setting an auth failure points at. */
function credentialSetting(credential: MailchimpCredential): string {
  return credential.kind === 'apiKey' ? 'MAILCHIMP_API_KEY' : 'MAILCHIMP_OAUTH_TOKEN';
}

function parseProblem(body: string): ProblemFields {
  try {
    const doc = JSON.parse(body) as Record<string, unknown>;
    return {
      title: typeof doc.title === 'string' ? doc.title : undefined,
      detail: typeof doc.detail === 'string' ? doc.detail : undefined,
      errors: Array.isArray(doc.errors) ? (doc.errors as ProblemFields['errors']) : undefined,
    };
  } catch {
    return {}; // HTML from the CDN (502) or an empty body
  }
}

/**
 * One HTTP channel to Mailchimp: auth header, the per-credential connection limit, error
 * classification and bounded retries. got's own retry is off because only we know which failures
 * are safe to repeat.
 */
export class MailchimpHttp {
  private readonly got: Got;
  private readonly limiter: Limiter;

  constructor(private readonly opts: MailchimpHttpOptions) {
    const { credential } = opts;
    const authorization =
      credential.kind === 'apiKey'
        ? `Basic ${Buffer.from(`ml-connector:${credential.secret}`).toString('base64')}`
        : `Bearer ${credential.secret}`;
    this.limiter = opts.channel.limiter;
    this.got = got.extend({
      prefixUrl: opts.baseUrl,
      headers: { authorization, accept: 'application/json', 'user-agent': 'ml-connector' },
      agent: opts.channel.agent,
      retry: { limit: 0 },
      throwHttpErrors: false,
      timeout: { request: opts.timeoutMs },
    });
  }

  get baseUrl(): string {
    return this.opts.baseUrl;
  }

  /** The connection slot is held for one try only, so a request waiting to retry does not block others. */
  request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
    const { retry, logger } = this.opts;
    return withRetries(() => this.limiter.run(() => this.once<T>(method, path, options)), {
      policy: retry,
      retryable: (err) => isTransient(err) && {},
      onRetry: ({ err, attempt, delayMs }) => {
        const e = err as MailchimpError;
        logger?.debug(
          { method, path, status: e.status, code: e.code, attempt, delayMs },
          'mailchimp request failed, retrying',
        );
      },
    });
  }

  private async once<T>(method: Method, path: string, options: RequestOptions): Promise<T> {
    let statusCode: number;
    let body: string;
    try {
      const res = await this.got(path.replace(/^\/+/, ''), {
        method,
        json: options.json,
        searchParams: options.searchParams,
      });
      statusCode = res.statusCode;
      body = res.body;
    } catch (err) {
      const code = (err as { code?: string }).code;
      const message = this.scrub(
        `${method} ${path}: ${(err as Error).message} (check that this machine reaches ${this.baseUrl}: ` +
          'MAILCHIMP_API_URL if set, MAILCHIMP_TIMEOUT_MS for timeouts)',
      );
      // Our own got error wrappers carry the request options (with the Authorization header): never kept.
      if (isTransientNetworkCode(code)) {
        throw new MailchimpRetryableError(`Mailchimp request failed: ${message}`, { code });
      }
      throw new MailchimpError(`Mailchimp request failed: ${message}`, { code });
    }
    if (statusCode >= 200 && statusCode < 300) {
      if (statusCode === 204 || body.trim() === '') return undefined as T;
      try {
        return JSON.parse(body) as T;
      } catch {
        throw new MailchimpError(`Mailchimp answered ${method} ${path} with a body that is not JSON`, {
          status: statusCode,
        });
      }
    }
    throw this.classify(method, path, statusCode, body);
  }

  private classify(method: string, path: string, status: number, body: string): MailchimpError {
    const problem = parseProblem(body);
    const fields: ProblemFields = {
      status,
      title: problem.title,
      detail: problem.detail === undefined ? undefined : this.scrub(problem.detail),
      errors: problem.errors,
    };
    const said = [problem.title, fields.detail].filter(Boolean).join(': ') || 'no details';
    const where = `${method} ${path}`;
    if (status === 401 || status === 403) {
      const setting = credentialSetting(this.opts.credential);
      return new MailchimpAuthError(
        `Mailchimp refused the credentials (HTTP ${status}, ${said}). Check ${setting}` +
          (this.opts.credential.kind === 'apiKey'
            ? ' (the whole key including its -usN suffix, not revoked, from the right account)'
            : ' (authorise the connector again)') +
          ' and MAILCHIMP_API_URL if set.',
        fields,
      );
    }
    if (status === 429 || status >= 500) {
      const why =
        status === 429
          ? 'MAILCHIMP_MAX_CONNECTIONS caps this connector; other programs using the same key count too'
          : 'see https://status.mailchimp.com';
      return new MailchimpRetryableError(
        `Mailchimp is busy or failing (HTTP ${status}, ${said}) on ${where} (${why})`,
        fields,
      );
    }
    if (status === 404)
      return new MailchimpNotFoundError(`Mailchimp: not found on ${where} (${said})`, fields);
    if (status === 400 || status === 422) {
      return new MailchimpRecordError(`Mailchimp rejected ${where} (HTTP ${status}, ${said})`, fields);
    }
    return new MailchimpError(`Mailchimp answered HTTP ${status} on ${where} (${said})`, fields);
  }

  /** Mailchimp never echoes the key, but a proxy or a future message might: never let it out. */
  /** What Mailchimp or got said, safe for a failure kept in workflow history (no key, no address). */
  private scrub(text: string): string {
    return redactText(text, [this.opts.credential.secret]);
  }
}
