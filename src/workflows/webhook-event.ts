import type { WebhookEvent } from '../domain/webhooks/event-schema.js';
import { summarizeWebhookEvent, type WebhookEventRecord } from '../domain/webhooks/summary.js';

/**
 * One Mailchimp webhook event in the audit trail. The receiver starts it with an ID derived from
 * the event's content, so the history (input: the full event, encrypted by the payload codec) is
 * the record, and the result is a summary safe to show (emails masked). Nothing else to do, so no
 * activities: it completes in one workflow task.
 */
export async function recordWebhookEvent(event: WebhookEvent): Promise<WebhookEventRecord> {
  return summarizeWebhookEvent(event);
}
