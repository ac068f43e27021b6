import type { Audience, WebhookEventType } from './audience.js';
import { notFound } from './problems.js';

/** What route modules share: the account's audiences and a hook for API-sourced webhook events. */
export class SimContext {
  readonly lists = new Map<string, Audience>();
  /** Set by the webhook module; member writes call it so `sources.api` hooks see API changes. */
  emitApiEvent: (aud: Audience, type: WebhookEventType, data: Record<string, unknown>) => void = () => {};

  list(id: string | undefined): Audience {
    const aud = id === undefined ? undefined : this.lists.get(id);
    if (!aud) throw notFound();
    return aud;
  }
}
