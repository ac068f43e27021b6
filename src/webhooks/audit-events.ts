import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { SA } from '../temporal/search-attributes.js';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES } from './event-schema.js';
import { RECORD_WEBHOOK_WORKFLOW_TYPE } from './record-event.js';
import type { WebhookEventRecord } from './summary.js';

/** One recorded Mailchimp event as `audit --events` shows it (emails masked). */
export interface WebhookEventSummary {
  workflowId: string;
  type: string;
  listId?: string;
  /** When the receiver recorded it (the workflow's start time). */
  recordedAt: Date;
  /** Workflow status: COMPLETED once a worker processed it, RUNNING while none has yet. */
  status: string;
  /** As Mailchimp sent it, `YYYY-MM-DD HH:MM:SS` UTC. */
  firedAt?: string;
  email?: string;
  detail?: Record<string, string>;
}

export interface ListWebhookEventsOptions {
  since?: Date;
  type?: string;
  listId?: string;
  /** Most events returned, newest first; default 1000. */
  limit?: number;
}

/** A visibility query string; values are checked or quoted so nothing can be injected. */
export function webhookEventsQuery(opts: ListWebhookEventsOptions): string {
  const parts = [`WorkflowType = "${RECORD_WEBHOOK_WORKFLOW_TYPE}"`];
  if (opts.type !== undefined) {
    if (!isWebhookEventType(opts.type))
      throw new Error(
        `unknown event type "${opts.type}" (expected one of ${WEBHOOK_EVENT_TYPES.join(', ')})`,
      );
    parts.push(`${SA.eventType.name} = "${opts.type}"`);
  }
  if (opts.listId !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(opts.listId)) throw new Error(`invalid list id "${opts.listId}"`);
    parts.push(`${SA.listId.name} = "${opts.listId}"`);
  }
  if (opts.since !== undefined) {
    if (Number.isNaN(opts.since.getTime())) throw new Error('invalid --since date');
    parts.push(`StartTime >= "${opts.since.toISOString()}"`);
  }
  return parts.join(' AND ');
}

function toSummary(info: WorkflowExecutionInfo): WebhookEventSummary {
  const record = (info.memo?.summary ?? undefined) as WebhookEventRecord | undefined;
  return {
    workflowId: info.workflowId,
    type: info.typedSearchAttributes.get(SA.eventType) ?? record?.type ?? 'unknown',
    listId: info.typedSearchAttributes.get(SA.listId) ?? record?.listId,
    recordedAt: info.startTime,
    status: info.status.name,
    firedAt: record?.firedAt,
    email: record?.email,
    detail: record?.detail,
  };
}

/**
 * The recorded webhook events, newest first, from one visibility query (the masked summary rides
 * in each workflow's memo, decoded by the client's data converter).
 */
export async function listWebhookEvents(
  client: Client,
  opts: ListWebhookEventsOptions = {},
): Promise<WebhookEventSummary[]> {
  const limit = opts.limit ?? 1000;
  const out: WebhookEventSummary[] = [];
  for await (const info of client.workflow.list({ query: webhookEventsQuery(opts) })) {
    out.push(toSummary(info));
    if (out.length >= limit) break;
  }
  return out.sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime());
}

export function formatWebhookEvents(events: WebhookEventSummary[], json: boolean): string[] {
  if (json) return events.map((e) => JSON.stringify({ ...e, recordedAt: e.recordedAt.toISOString() }));
  if (events.length === 0) return ['no webhook events recorded'];
  const lines = [['RECORDED (UTC)', 'FIRED AT', 'TYPE', 'LIST', 'EMAIL', 'STATUS', 'DETAIL'].join('  ')];
  for (const e of events) {
    const detail = Object.entries(e.detail ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    lines.push(
      [
        e.recordedAt.toISOString().replace('T', ' ').slice(0, 19),
        (e.firedAt ?? '-').padEnd(19),
        e.type.padEnd(11),
        (e.listId ?? '-').padEnd(10),
        (e.email ?? '-').padEnd(24),
        e.status.padEnd(9),
        detail,
      ].join('  '),
    );
  }
  return lines;
}
