import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { tsToDate } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';
import { SA } from '../../temporal/search-attributes.js';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES } from '../../domain/webhooks/event-schema.js';
import { RECORD_WEBHOOK_WORKFLOW_TYPE } from './record-event.js';
import type { WebhookEventRecord } from '../../domain/webhooks/summary.js';

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
  /** upemail: the customer number on the member now holding the new address (matchUpemailCustomers). */
  customer?: string;
  /** upemail without a customer: not a connector member, no such member, or why it was not looked up. */
  customerMatch?: string;
  /** Set when the summary could not be read (for example a payload key this client lacks). */
  problem?: string;
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

type RawExecution = proto.temporal.api.workflow.v1.IWorkflowExecutionInfo;
type RawPayload = proto.temporal.api.common.v1.IPayload;

const STATUS = proto.temporal.api.enums.v1.WorkflowExecutionStatus;

function statusName(code: number | null | undefined): string {
  return (STATUS[code ?? 0] ?? 'UNSPECIFIED').replace(/^WORKFLOW_EXECUTION_STATUS_/, '');
}

/** Search attributes are never run through payload codecs: the default converter reads them. */
function keyword(info: RawExecution, name: string): string | undefined {
  const payload = info.searchAttributes?.indexedFields?.[name];
  if (!payload) return undefined;
  const value = defaultPayloadConverter.fromPayload<unknown>(payload as Payload);
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/** Codecs decode in reverse order of encoding; then the client's payload converter. */
async function decodePayload(client: Client, payload: RawPayload): Promise<unknown> {
  const { payloadCodecs, payloadConverter } = client.options.loadedDataConverter;
  let payloads = [payload as Payload];
  for (const codec of [...payloadCodecs].reverse()) payloads = await codec.decode(payloads);
  return payloadConverter.fromPayload(payloads[0] as Payload);
}

async function toSummary(client: Client, info: RawExecution): Promise<WebhookEventSummary> {
  const summary: WebhookEventSummary = {
    workflowId: info.execution?.workflowId ?? '',
    type: keyword(info, SA.eventType.name) ?? 'unknown',
    listId: keyword(info, SA.listId.name),
    recordedAt: info.startTime ? tsToDate(info.startTime) : new Date(0),
    status: statusName(info.status),
  };
  const memo = info.memo?.fields?.summary;
  if (!memo) return summary;
  try {
    const record = (await decodePayload(client, memo)) as WebhookEventRecord;
    return { ...summary, firedAt: record.firedAt, email: record.email, detail: record.detail };
  } catch {
    // One record the client cannot decode (another key, a corrupted memo) must not hide the rest.
    return { ...summary, problem: 'summary not readable with this client (payload key?)' };
  }
}

/**
 * The recorded webhook events, newest first, from the visibility store (the masked summary rides
 * in each workflow's memo, decoded with the client's data converter, so no per-event calls).
 */
export async function listWebhookEvents(
  client: Client,
  opts: ListWebhookEventsOptions = {},
): Promise<WebhookEventSummary[]> {
  const limit = opts.limit ?? 1000;
  const query = webhookEventsQuery(opts);
  const out: WebhookEventSummary[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: client.options.namespace,
      query,
      pageSize: Math.min(limit, 1000),
      nextPageToken,
    });
    for (const info of page.executions ?? []) {
      if (out.length >= limit) break;
      out.push(await toSummary(client, info));
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken && out.length < limit);
  return out.sort((a, b) => b.recordedAt.getTime() - a.recordedAt.getTime());
}

export function formatWebhookEvents(events: WebhookEventSummary[], json: boolean): string[] {
  if (json) return events.map((e) => JSON.stringify({ ...e, recordedAt: e.recordedAt.toISOString() }));
  if (events.length === 0) return ['no webhook events recorded'];
  const lines = [['RECORDED (UTC)', 'FIRED AT', 'TYPE', 'LIST', 'EMAIL', 'STATUS', 'DETAIL'].join('  ')];
  for (const e of events) {
    const matched = e.customer ? `customer ${e.customer}` : e.customerMatch;
    const detail = [
      ...(matched ? [matched] : []),
      ...Object.entries(e.detail ?? {}).map(([k, v]) => `${k}=${v}`),
    ].join(' ');
    lines.push(
      [
        e.recordedAt.toISOString().replace('T', ' ').slice(0, 19),
        (e.firedAt ?? '-').padEnd(19),
        e.type.padEnd(11),
        (e.listId ?? '-').padEnd(10),
        (e.email ?? '-').padEnd(24),
        e.status.padEnd(9),
        e.problem ? `(${e.problem})` : detail,
      ].join('  '),
    );
  }
  return lines;
}
