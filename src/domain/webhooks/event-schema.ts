import { z } from 'zod';
import type { FormObject, FormValue } from './parse-form.js';

/** The list events Mailchimp can push (its webhooks cover audiences only; there are no e-commerce events). */
export const WEBHOOK_EVENT_TYPES = [
  'subscribe',
  'unsubscribe',
  'profile',
  'upemail',
  'cleaned',
  'campaign',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export function isWebhookEventType(value: unknown): value is WebhookEventType {
  return typeof value === 'string' && (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}

const formValue: z.ZodType<FormValue> = z.lazy(() =>
  z.union([z.string(), z.array(formValue), z.record(z.string(), formValue)]),
);

const text = z.string().max(2000);
const email = z.string().trim().min(3).max(320).includes('@', { message: 'must be an email address' });

/** Mailchimp's `fired_at` is `YYYY-MM-DD HH:MM:SS` in UTC, not ISO 8601. */
const firedAt = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, { message: 'must look like 2026-11-27 14:30:00' });

// Loose objects: the audit trail keeps every field Mailchimp sent, typed where the connector reads it.
const member = {
  id: text.optional(),
  list_id: text.min(1),
  email,
  email_type: text.optional(),
  web_id: text.optional(),
  ip_opt: text.optional(),
  ip_signup: text.optional(),
  merges: z.record(z.string(), formValue).optional(),
};

const subscribe = z.object({
  type: z.literal('subscribe'),
  fired_at: firedAt,
  data: z.looseObject(member),
});

const profile = z.object({
  type: z.literal('profile'),
  fired_at: firedAt,
  data: z.looseObject(member),
});

const unsubscribe = z.object({
  type: z.literal('unsubscribe'),
  fired_at: firedAt,
  data: z.looseObject({
    ...member,
    action: text.optional(),
    reason: text.optional(),
    campaign_id: text.optional(),
  }),
});

const upemail = z.object({
  type: z.literal('upemail'),
  fired_at: firedAt,
  data: z.looseObject({
    list_id: text.min(1),
    new_id: text.optional(),
    new_email: email,
    old_email: email,
  }),
});

const cleaned = z.object({
  type: z.literal('cleaned'),
  fired_at: firedAt,
  data: z.looseObject({
    list_id: text.min(1),
    campaign_id: text.optional(),
    reason: text.optional(),
    email,
  }),
});

const campaign = z.object({
  type: z.literal('campaign'),
  fired_at: firedAt,
  data: z.looseObject({
    id: text.min(1),
    list_id: text.min(1),
    subject: text.optional(),
    status: text.optional(),
    reason: text.optional(),
  }),
});

export const webhookEventSchema = z.discriminatedUnion('type', [
  subscribe,
  unsubscribe,
  profile,
  upemail,
  cleaned,
  campaign,
]);

export type WebhookEvent = z.infer<typeof webhookEventSchema>;

export class WebhookEventError extends Error {
  override readonly name = 'WebhookEventError';
}

/**
 * Turns a parsed form into a typed event. Errors name the problem precisely (unknown type, which
 * field is wrong) but never echo field values, which may be emails.
 */
export function toWebhookEvent(form: FormObject): WebhookEvent {
  const type = form.type;
  if (type === undefined) throw new WebhookEventError('missing field "type"');
  if (typeof type !== 'string') throw new WebhookEventError('field "type" must be a single value');
  if (!isWebhookEventType(type)) {
    throw new WebhookEventError(
      `unknown event type "${type.slice(0, 40)}" (expected one of ${WEBHOOK_EVENT_TYPES.join(', ')})`,
    );
  }
  const parsed = webhookEventSchema.safeParse(form);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    throw new WebhookEventError(`invalid ${type} event: ${problems}`);
  }
  return parsed.data;
}
