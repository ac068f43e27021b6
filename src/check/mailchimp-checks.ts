import type { MailchimpConfig } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import { MailchimpClient } from '../mailchimp/client.js';
import { MailchimpAuthError } from '../mailchimp/errors.js';
import { explainMailchimpError } from './explain-mailchimp.js';
import type { CheckResult } from './types.js';

const fail = (check: string, e: { detail: string; hint?: string }): CheckResult => ({
  system: 'mailchimp',
  check,
  ok: false,
  ...e,
});
const ok = (check: string, detail: string): CheckResult => ({ system: 'mailchimp', check, ok: true, detail });

/** `/ping`, the audience, and the store when one is configured (a missing store is fine: it is created). */
export async function checkMailchimp(config: MailchimpConfig, logger?: Logger): Promise<CheckResult[]> {
  if (!config.apiKey && !config.oauthToken) {
    return [
      fail('configuration', {
        detail: 'neither MAILCHIMP_API_KEY nor MAILCHIMP_OAUTH_TOKEN is set',
        hint: 'Set MAILCHIMP_API_KEY to an API key from Mailchimp (Profile > Extras > API keys).',
      }),
    ];
  }
  let client: MailchimpClient;
  try {
    // A check should answer quickly: one retry, short backoff.
    client = await MailchimpClient.create(config, { logger, retry: { maxAttempts: 2, baseDelayMs: 300 } });
  } catch (err) {
    return [fail('credentials', explainMailchimpError(err, config, 'ping'))];
  }
  const results: CheckResult[] = [];
  try {
    const pong = await client.ping();
    results.push(ok('ping', `${pong.health_status} (data center ${client.dataCenter}, ${client.baseUrl})`));
  } catch (err) {
    results.push(fail('ping', explainMailchimpError(err, config, 'ping', client.baseUrl)));
    // Whatever stopped the ping (credentials, network) would stop the next reads too.
    const after = err instanceof MailchimpAuthError ? 'the credentials were refused' : 'the ping failed';
    if (config.listId) results.push(fail('audience', { detail: `not tried after ${after}` }));
    if (config.storeId) results.push(fail('store', { detail: `not tried after ${after}` }));
    return results;
  }
  if (!config.listId) {
    results.push(
      fail('audience', {
        detail: 'MAILCHIMP_LIST_ID is not set',
        hint: 'Set MAILCHIMP_LIST_ID to the audience ID (Audience > Settings > Audience name and defaults).',
      }),
    );
  } else {
    try {
      const list = await client.getList(config.listId);
      const members = list.stats?.member_count;
      results.push(
        ok(
          'audience',
          `"${list.name}" (${config.listId})${members === undefined ? '' : `, ${members} subscribed`}`,
        ),
      );
    } catch (err) {
      results.push(fail('audience', explainMailchimpError(err, config, 'audience', client.baseUrl)));
    }
  }
  if (config.storeId) {
    try {
      const store = await client.getStore(config.storeId);
      if (!store) {
        results.push(ok('store', `${config.storeId} does not exist yet; the first order sync creates it`));
      } else if (config.listId && store.list_id !== config.listId) {
        results.push(
          fail('store', {
            detail: `store ${config.storeId} belongs to audience ${store.list_id}, not MAILCHIMP_LIST_ID ${config.listId}`,
            hint: "A store's audience cannot change: set MAILCHIMP_STORE_ID to a new store ID, or MAILCHIMP_LIST_ID to that audience.",
          }),
        );
      } else {
        results.push(
          ok(
            'store',
            `"${store.name}" (${store.currency_code})${store.is_syncing ? ', is_syncing is on' : ''}`,
          ),
        );
      }
    } catch (err) {
      results.push(fail('store', explainMailchimpError(err, config, 'store', client.baseUrl)));
    }
  }
  return results;
}
