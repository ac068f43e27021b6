import { createHash } from 'node:crypto';
import type { WebhookEvent } from './event-schema.js';

/** JSON with object keys sorted at every level, so equal content always gives equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The workflow ID of an event, derived from its content: Mailchimp retries a failed delivery with
 * the same body, so a retry maps to the same ID and is recorded once. `occurrence` tells apart
 * real events that share their content and their second (see occurrences.ts); the first keeps the
 * bare ID, which is what every event had before.
 */
export function webhookEventWorkflowId(event: WebhookEvent, occurrence = 1): string {
  const digest = createHash('sha256')
    .update(canonicalJson({ type: event.type, fired_at: event.fired_at, data: event.data }))
    .digest('hex');
  const id = `webhook-${event.type}-${digest.slice(0, 32)}`;
  return occurrence > 1 ? `${id}-${occurrence}` : id;
}
