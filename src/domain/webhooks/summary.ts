// Pure and deterministic: the recordWebhookEvent workflow imports this, so no I/O and no Node built-ins.
import { maskEmail } from '../../logging/redact.js';
import type { WebhookEvent, WebhookEventType } from './event-schema.js';

/** What the audit trail shows for one event: no full emails, no merge-field values. */
export interface WebhookEventRecord {
  type: WebhookEventType;
  /** As Mailchimp sent it: `YYYY-MM-DD HH:MM:SS` (UTC). */
  firedAt: string;
  listId: string;
  /** Masked (`a***@e***.com`). For upemail, the new address. */
  email?: string;
  /** Type-specific facts, for example unsubscribe `action`/`reason`, upemail `oldEmail` (masked). */
  detail: Record<string, string>;
}

function pick(detail: Record<string, string>, name: string, value: unknown): void {
  if (typeof value === 'string' && value !== '') detail[name] = value;
}

export function summarizeWebhookEvent(event: WebhookEvent): WebhookEventRecord {
  const detail: Record<string, string> = {};
  const base = { type: event.type, firedAt: event.fired_at, listId: event.data.list_id };
  switch (event.type) {
    case 'subscribe':
    case 'profile':
      pick(detail, 'memberId', event.data.id);
      pick(detail, 'emailType', event.data.email_type);
      if (event.data.merges) detail.mergeFields = Object.keys(event.data.merges).sort().join(',');
      return { ...base, email: maskEmail(event.data.email), detail };
    case 'unsubscribe':
      pick(detail, 'memberId', event.data.id);
      pick(detail, 'action', event.data.action);
      pick(detail, 'reason', event.data.reason);
      pick(detail, 'campaignId', event.data.campaign_id);
      return { ...base, email: maskEmail(event.data.email), detail };
    case 'upemail':
      pick(detail, 'newId', event.data.new_id);
      detail.oldEmail = maskEmail(event.data.old_email);
      return { ...base, email: maskEmail(event.data.new_email), detail };
    case 'cleaned':
      pick(detail, 'reason', event.data.reason);
      pick(detail, 'campaignId', event.data.campaign_id);
      return { ...base, email: maskEmail(event.data.email), detail };
    case 'campaign':
      detail.campaignId = event.data.id;
      pick(detail, 'status', event.data.status);
      pick(detail, 'reason', event.data.reason);
      pick(detail, 'subject', event.data.subject);
      return { ...base, detail };
  }
}
