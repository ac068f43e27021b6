import type { WebhookEvent } from './event-schema.js';
import { webhookEventWorkflowId } from './event-id.js';

/**
 * Mailchimp's delivery timeout: it gives up on an answer after 10 s, so a retry of an event it
 * could not deliver never arrives sooner than that after the event fired.
 */
export const PROMPT_DELIVERY_MS = 10_000;

/**
 * Which occurrence of its content an arriving event is. Mailchimp sends no event ID, and `fired_at`
 * has whole seconds, so two real events with the same content in one second (a profile saved twice
 * with the same values) look exactly like one event delivered twice. Timing tells them apart:
 * Mailchimp delivers an event as it fires, and delivers it again only after a failed or
 * unanswered attempt (answered within 10 s or counted as failed). So:
 * - an arrival within PROMPT_DELIVERY_MS of its `fired_at` is a first delivery; the n-th such
 *   arrival of the same content is occurrence n, recorded under its own workflow ID;
 * - a later arrival is a redelivery and is occurrence 1, whose ID makes it a duplicate once that
 *   one is recorded.
 * What this gets wrong, and why it is acceptable: a redelivery that Mailchimp sends within 10 s of
 * an attempt the receiver recorded but answered with an error (a start that timed out on our side
 * yet reached Temporal) is recorded twice, and a second same-second event whose delivery failed
 * and was retried late is taken for the first. Counts live in this process: receivers behind a
 * load balancer each count their own arrivals. Clock skew between Mailchimp and us beyond the
 * window makes every arrival late, which is the behaviour before this rule.
 */
export class OccurrenceCounter {
  private readonly seen = new Map<string, { until: number; count: number }>();

  constructor(
    private readonly promptMs = PROMPT_DELIVERY_MS,
    private readonly maxTracked = 10_000,
  ) {}

  occurrence(event: WebhookEvent, receivedAt: number): number {
    const firedAt = Date.parse(`${event.fired_at.replace(' ', 'T')}Z`);
    if (!Number.isFinite(firedAt) || Math.abs(receivedAt - firedAt) > this.promptMs) return 1;
    this.forgetBefore(receivedAt);
    const key = webhookEventWorkflowId(event);
    const entry = this.seen.get(key) ?? { until: firedAt + this.promptMs, count: 0 };
    entry.count++;
    this.seen.set(key, entry);
    return entry.count;
  }

  private forgetBefore(now: number): void {
    for (const [key, { until }] of this.seen) if (until < now) this.seen.delete(key);
    // Only authenticated deliveries get here; the bound keeps a flood from growing the map.
    while (this.seen.size >= this.maxTracked) this.seen.delete(this.seen.keys().next().value!);
  }
}
