import got from 'got';
import { z } from 'zod';
import type { MailchimpConfig } from '../config/index.js';
import { withRetries, type RetryPolicy } from '../shared/http-retry.js';
import { MailchimpAuthError, MailchimpError, MailchimpRetryableError, isTransient } from './errors.js';
import { credentialId } from './hash.js';

const DC_RE = /^[a-z]+\d+$/;

export type MailchimpCredential = { kind: 'apiKey'; secret: string } | { kind: 'oauth'; secret: string };

export function credentialFrom(config: MailchimpConfig): MailchimpCredential {
  if (config.apiKey) return { kind: 'apiKey', secret: config.apiKey };
  if (config.oauthToken) return { kind: 'oauth', secret: config.oauthToken };
  throw new MailchimpAuthError(
    'Mailchimp is not configured: set MAILCHIMP_API_KEY (or MAILCHIMP_OAUTH_TOKEN).',
  );
}

/** The data center is the text after the key's last dash; validated because it becomes a host name. */
export function dataCenterFromApiKey(apiKey: string): string {
  const dash = apiKey.lastIndexOf('-');
  const dc = dash >= 0 ? apiKey.slice(dash + 1) : '';
  if (!DC_RE.test(dc)) {
    throw new MailchimpAuthError(
      'MAILCHIMP_API_KEY does not end in a data center suffix such as -us6; copy the whole key from Mailchimp (Account > Extras > API keys).',
    );
  }
  return dc;
}

const metadataSchema = z.union([
  z.object({ error: z.string(), error_description: z.string().optional() }),
  z.object({ dc: z.string().regex(DC_RE), api_endpoint: z.string().optional() }).loose(),
]);

// OAuth tokens never expire and carry no data center, so one metadata lookup per token and process is enough.
const oauthDcCache = new Map<string, Promise<string>>();

async function fetchOAuthDataCenter(token: string, metadataUrl: string, timeoutMs: number): Promise<string> {
  let statusCode: number;
  let body: string;
  try {
    const res = await got(metadataUrl, {
      headers: { authorization: `OAuth ${token}`, accept: 'application/json' },
      throwHttpErrors: false,
      retry: { limit: 0 },
      timeout: { request: timeoutMs },
    });
    statusCode = res.statusCode;
    body = res.body;
  } catch (err) {
    throw new MailchimpRetryableError(
      `cannot reach the Mailchimp OAuth metadata endpoint MAILCHIMP_OAUTH_METADATA_URL (${metadataUrl}): ${(err as Error).message}`,
      { code: (err as { code?: string }).code },
    );
  }
  if (statusCode === 401 || statusCode === 403) {
    throw new MailchimpAuthError(
      `Mailchimp's OAuth metadata endpoint rejected MAILCHIMP_OAUTH_TOKEN (HTTP ${statusCode}); authorise the connector again to get a new token.`,
      { status: statusCode },
    );
  }
  if (statusCode >= 500 || statusCode === 429) {
    throw new MailchimpRetryableError(`Mailchimp's OAuth metadata endpoint answered HTTP ${statusCode}`, {
      status: statusCode,
    });
  }
  let parsed: z.infer<typeof metadataSchema>;
  try {
    parsed = metadataSchema.parse(JSON.parse(body));
  } catch {
    throw new MailchimpError(
      `MAILCHIMP_OAUTH_METADATA_URL (${metadataUrl}) did not answer with OAuth metadata (HTTP ${statusCode}); check the URL.`,
      { status: statusCode },
    );
  }
  // The endpoint answers 200 with {"error":"invalid_token"} for a bad token, so the body decides.
  if ('error' in parsed) {
    throw new MailchimpAuthError(
      `Mailchimp does not accept MAILCHIMP_OAUTH_TOKEN (${parsed.error}); authorise the connector again to get a new token.`,
    );
  }
  return parsed.dc;
}

export function dataCenterFromOAuth(
  token: string,
  metadataUrl: string,
  timeoutMs: number,
  retry: RetryPolicy,
): Promise<string> {
  const key = `${credentialId(token)}|${metadataUrl}`;
  let pending = oauthDcCache.get(key);
  if (!pending) {
    pending = withRetries(() => fetchOAuthDataCenter(token, metadataUrl, timeoutMs), {
      policy: retry,
      retryable: (err) => isTransient(err) && {},
    });
    oauthDcCache.set(key, pending);
    // A failed lookup is not cached: the next client tries again.
    pending.catch(() => oauthDcCache.delete(key));
  }
  return pending;
}

export async function resolveEndpoint(
  config: MailchimpConfig,
  credential: MailchimpCredential,
  retry: RetryPolicy,
): Promise<{ dataCenter: string; baseUrl: string }> {
  const dataCenter =
    credential.kind === 'apiKey'
      ? dataCenterFromApiKey(credential.secret)
      : await dataCenterFromOAuth(credential.secret, config.oauthMetadataUrl, config.timeoutMs, retry);
  const baseUrl = (config.apiUrl ?? `https://${dataCenter}.api.mailchimp.com/3.0`).replace(/\/+$/, '');
  return { dataCenter, baseUrl };
}
