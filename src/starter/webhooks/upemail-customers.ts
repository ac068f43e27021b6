import type { Client } from '@temporalio/client';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import proto from '@temporalio/proto';
import type { WebhookEvent } from '../../domain/webhooks/event-schema.js';
import type { MailchimpClient } from '../../mailchimp/client.js';
import { subscriberHash } from '../../mailchimp/hash.js';
import { forEachBounded } from '../../shared/concurrency.js';
import { historyEvents } from '../audit.js';
import type { WebhookEventSummary } from './audit-events.js';

const STARTED = proto.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED;

export const NOT_CONNECTOR_MEMBER = 'not a connector member';
export const NO_MEMBER = 'no member has the new address now';

/**
 * The event as the receiver recorded it: the workflow's input, the full event (the memo's summary
 * has masked addresses only), decoded with the client's data converter, so it needs the payload key.
 */
async function recordedEvent(client: Client, workflowId: string): Promise<WebhookEvent | undefined> {
  for await (const event of historyEvents(client, workflowId, '')) {
    if (event.eventType !== STARTED) return undefined;
    const [input] = await decodeArrayFromPayloads(
      client.options.loadedDataConverter,
      event.workflowExecutionStartedEventAttributes?.input?.payloads,
    );
    return input as WebhookEvent;
  }
  return undefined;
}

/**
 * Matches each upemail event to its customer, the way the sync matches an address change: the
 * member holding the new address now, and the customer number merge field (`customerTag`) the
 * connector writes on it. One history read and one member GET per event, within the connection cap;
 * a failed look-up is noted on its event, it never hides the list.
 */
export async function matchUpemailCustomers(
  client: Client,
  mailchimp: Pick<MailchimpClient, 'memberById' | 'maxConnections'>,
  customerTag: string,
  events: WebhookEventSummary[],
): Promise<void> {
  const upemails = events.filter((e) => e.type === 'upemail' && !e.problem);
  await forEachBounded(upemails, mailchimp.maxConnections, async (summary) => {
    try {
      const event = await recordedEvent(client, summary.workflowId);
      if (event?.type !== 'upemail') return;
      const member = await mailchimp.memberById(event.data.list_id, subscriberHash(event.data.new_email), [
        'id',
        'email_address',
        'status',
        `merge_fields.${customerTag}`,
      ]);
      const customer = member?.merge_fields?.[customerTag];
      if ((typeof customer === 'string' && customer.trim() !== '') || typeof customer === 'number')
        summary.customer = String(customer).trim();
      else summary.customerMatch = member ? NOT_CONNECTOR_MEMBER : NO_MEMBER;
    } catch (err) {
      summary.customerMatch = `not matched: ${(err as Error).message}`;
    }
  });
}
