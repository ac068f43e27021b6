import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { SA } from '../../temporal/search-attributes.js';
import type { recordWebhookEvent } from '../../workflows/webhook-event.js';
import type { WebhookEvent } from '../../domain/webhooks/event-schema.js';
import { webhookEventWorkflowId } from '../../domain/webhooks/event-id.js';
import { summarizeWebhookEvent } from '../../domain/webhooks/summary.js';

export const RECORD_WEBHOOK_WORKFLOW_TYPE = 'recordWebhookEvent';

export interface RecordOutcome {
  workflowId: string;
  /** True when this exact event had been recorded before (a Mailchimp retry). */
  duplicate: boolean;
}

/**
 * Starts the audit workflow for one event. The ID comes from the event's content and its
 * occurrence (OccurrenceCounter); with REJECT_DUPLICATE (closed runs) and USE_EXISTING (a running
 * one) a redelivery never makes a second record. The call is bounded so the receiver answers
 * within Mailchimp's 10 s.
 */
export async function recordEvent(
  client: Client,
  event: WebhookEvent,
  options: { taskQueue: string; timeoutMs: number; occurrence?: number },
): Promise<RecordOutcome> {
  const workflowId = webhookEventWorkflowId(event, options.occurrence);
  try {
    const handle = await client.withDeadline(Date.now() + options.timeoutMs, () =>
      client.workflow.start<typeof recordWebhookEvent>(RECORD_WEBHOOK_WORKFLOW_TYPE, {
        taskQueue: options.taskQueue,
        workflowId,
        args: [event],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        workflowIdConflictPolicy: 'USE_EXISTING',
        // Only the type and the audience: search attributes are not encrypted, so never emails.
        typedSearchAttributes: [
          { key: SA.eventType, value: event.type },
          { key: SA.listId, value: event.data.list_id },
        ],
        // The masked summary, so `audit --events` lists events from one visibility query.
        memo: { summary: summarizeWebhookEvent(event) },
      }),
    );
    // USE_EXISTING hands back the running execution instead of failing; it is still one record.
    return { workflowId: handle.workflowId, duplicate: false };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, duplicate: true };
    throw err;
  }
}

const UNAVAILABLE_CODES = new Set([
  1, // CANCELLED
  4, // DEADLINE_EXCEEDED
  14, // UNAVAILABLE
]);

/** True for errors that mean "Temporal could not be reached in time", as opposed to a bad request. */
export function isTemporalUnavailable(err: unknown): boolean {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'number' && UNAVAILABLE_CODES.has(code)) return true;
    if (
      /deadline|unavailable|ECONNREFUSED|No connection established/i.test(String((current as Error).message))
    )
      return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
