import type { MailchimpClient } from '../../mailchimp/client.js';
import type { Sage300Client } from '../../sage300/client.js';
import type { Logger } from '../../logging/logger.js';
import { SyncConfigurationError } from '../errors.js';

/**
 * The company's store exists and is tied to the audience: created (in the company's currency) when
 * missing or tied to another audience, otherwise left as it is. Says whether its is_syncing is on.
 */
export async function ensureOrderStore(
  mailchimp: MailchimpClient,
  sage: Sage300Client,
  store: { id: string; listId: string; company: string; currency?: string },
): Promise<{ syncing: boolean }> {
  const existing = await mailchimp.getStore(store.id);
  if (existing && existing.list_id === store.listId) return { syncing: existing.is_syncing === true };
  const { store: made } = await mailchimp.ensureStore({
    id: store.id,
    listId: store.listId,
    name: `Sage 300 ${store.company}`,
    currencyCode: await homeCurrency(sage, store.currency),
  });
  return { syncing: made.is_syncing === true };
}

/**
 * A job that is not a backfill, holding its stream (so no backfill of the company runs), finds
 * is_syncing on: a backfill's cleanup never got through (a key revoked for longer than it retried,
 * a terminated job). Mailchimp sends no order notifications or automations while it is on.
 */
export async function clearStaleSyncing(
  mailchimp: MailchimpClient,
  storeId: string,
  logger: Logger,
  jobId: string,
): Promise<void> {
  await mailchimp.setStoreSyncing(storeId, false);
  logger.warn(
    { jobId, storeId },
    'store is_syncing was left on by an earlier backfill: cleared (order automations run again)',
  );
}

/** SYNC_ORDER_STORE_CURRENCY, else the home currency of Sage's orders. */
async function homeCurrency(sage: Sage300Client, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const page = await sage.getPage('orders', { select: ['OrderUniquifier', 'OrderHomeCurrency'], top: 1 });
  const found = page.records[0]?.OrderHomeCurrency?.trim().toUpperCase();
  if (found && /^[A-Z]{3}$/.test(found)) return found;
  throw new SyncConfigurationError(
    'cannot tell the store currency: Sage has no orders yet; set SYNC_ORDER_STORE_CURRENCY (for example USD)',
  );
}
