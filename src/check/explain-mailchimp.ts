import type { MailchimpConfig } from '../config/index.js';
import {
  MailchimpAuthError,
  MailchimpError,
  MailchimpNotFoundError,
  MailchimpRetryableError,
} from '../mailchimp/errors.js';
import type { Explanation } from './types.js';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
]);

function credentialSetting(config: MailchimpConfig): string {
  return config.oauthToken && !config.apiKey ? 'MAILCHIMP_OAUTH_TOKEN' : 'MAILCHIMP_API_KEY';
}

/** Turns a failed Mailchimp call into what the user should check. `what` names the thing being read. */
export function explainMailchimpError(
  err: unknown,
  config: MailchimpConfig,
  what: 'ping' | 'audience' | 'store',
  baseUrl?: string,
): Explanation {
  if (!(err instanceof MailchimpError)) return { detail: (err as Error)?.message ?? String(err) };
  const said = [err.title, err.detail].filter(Boolean).join(': ');
  const detail = err.status
    ? `Mailchimp answered HTTP ${err.status}${said ? ` (${said})` : ''}.`
    : err.message;
  const setting = credentialSetting(config);
  if (err instanceof MailchimpAuthError) {
    const wrongDc = /datacenter|data center/i.test(said);
    return {
      detail: err.status ? detail : err.message,
      hint:
        setting === 'MAILCHIMP_API_KEY'
          ? `Check MAILCHIMP_API_KEY: copy the whole key, including its -usN data center suffix, from Mailchimp (Profile > Extras > API keys); a revoked or disabled key fails too.` +
            (wrongDc || config.apiUrl
              ? ' If MAILCHIMP_API_URL is set, it must point at the data center named by the key suffix.'
              : '')
          : 'Check MAILCHIMP_OAUTH_TOKEN (authorise the connector again to get a new token) and MAILCHIMP_OAUTH_METADATA_URL.',
    };
  }
  if (err instanceof MailchimpNotFoundError && what === 'audience') {
    return {
      detail: `MAILCHIMP_LIST_ID ${config.listId} is not an audience of this account (${detail})`,
      hint: 'Copy the audience ID from Mailchimp (Audience > Settings > Audience name and defaults), and check the API key belongs to the same account.',
    };
  }
  if (err instanceof MailchimpNotFoundError && what === 'ping') {
    return {
      detail,
      hint: 'MAILCHIMP_API_URL does not look like the Mailchimp API: it ends in /3.0, e.g. https://us6.api.mailchimp.com/3.0.',
    };
  }
  if (err.code && UNREACHABLE.has(err.code)) {
    return {
      detail: err.message,
      hint: `Cannot reach Mailchimp: check network access to ${baseUrl ?? config.apiUrl ?? 'https://<dc>.api.mailchimp.com'} (proxy, firewall, DNS)${config.apiUrl ? ' and MAILCHIMP_API_URL' : ''}.`,
    };
  }
  if (err.code === 'ETIMEDOUT') {
    return {
      detail: err.message,
      hint: 'Mailchimp did not answer within MAILCHIMP_TIMEOUT_MS: check the network and try again.',
    };
  }
  if (err instanceof MailchimpRetryableError) {
    return {
      detail,
      hint: 'Mailchimp is busy or failing (or another program uses all 10 connections of this key): try again shortly.',
    };
  }
  return { detail };
}
