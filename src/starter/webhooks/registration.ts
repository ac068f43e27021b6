import type { MailchimpClient } from '../../mailchimp/client.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../domain/webhooks/event-schema.js';

export const WEBHOOK_SOURCES = ['user', 'admin', 'api'] as const;
export type WebhookSource = (typeof WEBHOOK_SOURCES)[number];

export interface WebhookSettings {
  url: string;
  events: Record<WebhookEventType, boolean>;
  sources: Record<WebhookSource, boolean>;
}

/** What the connector needs from the Mailchimp client (a structural subset, so tests read clearly). */
export type WebhookApi = Pick<
  MailchimpClient,
  'createWebhook' | 'listWebhooks' | 'deleteWebhook' | 'request'
>;

type RegisteredWebhook = Awaited<ReturnType<MailchimpClient['listWebhooks']>>[number];

export const DEFAULT_EVENTS: Record<WebhookEventType, boolean> = Object.fromEntries(
  WEBHOOK_EVENT_TYPES.map((t) => [t, true]),
) as Record<WebhookEventType, boolean>;

/** `api` off: the sync's own member writes must not come back as webhook events (loops, noise). */
export const DEFAULT_SOURCES: Record<WebhookSource, boolean> = { user: true, admin: true, api: false };

/** `subscribe,cleaned` -> those on, the rest off. Unknown names are an error naming them. */
export function flagsFromList<K extends string>(
  names: readonly K[],
  list: string,
  what: string,
): Record<K, boolean> {
  const chosen = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = chosen.filter((c) => !(names as readonly string[]).includes(c));
  if (unknown.length > 0)
    throw new Error(
      `unknown ${what} ${unknown.map((u) => `"${u}"`).join(', ')} (expected: ${names.join(', ')})`,
    );
  return Object.fromEntries(names.map((n) => [n, chosen.includes(n)])) as Record<K, boolean>;
}

function sameUrl(a: string, b: string): boolean {
  try {
    return new URL(a).toString() === new URL(b).toString();
  } catch {
    return a === b;
  }
}

function sameFlags(wanted: Record<string, boolean>, actual: Record<string, boolean> | undefined): boolean {
  return Object.entries(wanted).every(([k, v]) => (actual?.[k] ?? false) === v);
}

export interface RegisterOutcome {
  action: 'created' | 'updated' | 'unchanged';
  webhook: RegisteredWebhook;
}

/**
 * Idempotent registration: a webhook with the same URL is kept (or its events/sources patched to
 * match) instead of duplicated; Mailchimp itself refuses the same URL twice. Mailchimp validates a
 * new URL with a GET, so the receiver must be running first.
 */
export async function registerWebhook(
  api: WebhookApi,
  listId: string,
  settings: WebhookSettings,
): Promise<RegisterOutcome> {
  const existing = (await api.listWebhooks(listId)).find((w) => sameUrl(w.url, settings.url));
  if (!existing) {
    const webhook = await api.createWebhook(listId, settings);
    return { action: 'created', webhook };
  }
  if (sameFlags(settings.events, existing.events) && sameFlags(settings.sources, existing.sources)) {
    return { action: 'unchanged', webhook: existing };
  }
  const webhook = await api.request<RegisteredWebhook>(
    'PATCH',
    `lists/${encodeURIComponent(listId)}/webhooks/${encodeURIComponent(existing.id)}`,
    { json: { events: settings.events, sources: settings.sources } },
  );
  return { action: 'updated', webhook: { ...existing, ...webhook } };
}

/** Deletes by ID, or every webhook with the URL; returns the IDs deleted (empty when none matched). */
export async function deleteWebhooks(
  api: WebhookApi,
  listId: string,
  target: { id?: string; url?: string },
): Promise<string[]> {
  const hooks = await api.listWebhooks(listId);
  const victims = hooks.filter(
    (w) =>
      (target.id !== undefined && w.id === target.id) ||
      (target.url !== undefined && sameUrl(w.url, target.url)),
  );
  for (const w of victims) await api.deleteWebhook(listId, w.id);
  return victims.map((w) => w.id);
}
