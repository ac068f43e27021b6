import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import { historyEvents, readJobTrail } from '../src/starter/audit.js';

export interface HistorySize {
  runs: number;
  events: number;
  /** The most payload bytes one event carries (as stored: encoded and encrypted), and its type. */
  largestPayloadBytes: number;
  largestPayloadEvent: string;
}

/** Bytes of every Payload ({ metadata, data }) inside a history event. */
function payloadBytes(value: unknown): number {
  if (!value || typeof value !== 'object') return 0;
  if (value instanceof Uint8Array) return 0;
  const v = value as { data?: unknown; metadata?: unknown };
  if (v.data instanceof Uint8Array && v.metadata && typeof v.metadata === 'object') {
    let bytes = v.data.length;
    for (const [k, m] of Object.entries(v.metadata as Record<string, unknown>))
      bytes += k.length + (m instanceof Uint8Array ? m.length : 0);
    return bytes;
  }
  let sum = 0;
  for (const child of Object.values(value)) sum += payloadBytes(child);
  return sum;
}

/**
 * What a job left in Temporal, across its continue-as-new chain: events, and the event carrying the
 * most payload bytes (Temporal refuses a request over 2 MB of payloads; it warns from 256 KB).
 */
export async function historySize(client: Client, jobId: string): Promise<HistorySize> {
  const trail = await readJobTrail(client, jobId);
  const size: HistorySize = {
    runs: trail.runIds.length,
    events: 0,
    largestPayloadBytes: 0,
    largestPayloadEvent: '',
  };
  for (const runId of trail.runIds) {
    for await (const event of historyEvents(client, jobId, runId)) {
      size.events++;
      const bytes = payloadBytes(event);
      if (bytes > size.largestPayloadBytes) {
        size.largestPayloadBytes = bytes;
        size.largestPayloadEvent = proto.temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? '';
      }
    }
  }
  return size;
}
