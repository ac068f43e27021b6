import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Payload } from '@temporalio/common';
import { HttpProblem } from '../shared/http-server.js';

/**
 * The codec server's side of a request body: `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }`
 * (the proto JSON form the Temporal Web UI and CLI send), bounded in size, count and time, and
 * converted a slice at a time. In `start` the codec server shares its event loop with the worker
 * and the webhook receiver: a 300,000-payload body used to hold that loop for 12 s, past the
 * worker's heartbeats.
 */
export interface CodecLimits {
  /** Payloads in one request (a history event has a few; a page of the UI's history some hundreds). */
  maxPayloads: number;
  /** Bytes of one request body; Temporal refuses payloads above 2 MB, 2.7 MB once in base64. */
  maxBodyBytes: number;
  /** What one request may take, waiting for its turn included; past it the answer is 503. */
  timeoutMs: number;
}

export const DEFAULT_CODEC_LIMITS: CodecLimits = {
  maxPayloads: 10_000,
  maxBodyBytes: 4 * 1024 * 1024,
  timeoutMs: 10_000,
};

// The work between two turns of the event loop: a few milliseconds whatever the payloads hold.
const SLICE_PAYLOADS = 64;
const SLICE_BASE64_CHARS = 256 * 1024;
// A payload with its metadata is a handful of JSON values; anything far denser is not payloads.
const JSON_VALUES_PER_PAYLOAD = 16;

export interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** Counts `{`, `[` and `,`: an upper bound on the values JSON.parse would build, found in one pass. */
function structureCount(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b || c === 0x5b || c === 0x2c) n++;
  }
  return n;
}

const tooMany = (limits: CodecLimits) =>
  new HttpProblem(413, `too many payloads: send at most ${limits.maxPayloads} per request`);

/**
 * The payload list of a body. `{}` and a missing or null `payloads` are the empty list: the
 * Temporal CLI sends `{}` for a query without arguments. A body that would build far more values
 * than `maxPayloads` payloads could hold is refused before it is parsed, since parsing is the one
 * step that cannot be sliced.
 */
export function parsePayloadList(text: string, limits: CodecLimits): JsonPayload[] {
  if (structureCount(text) > limits.maxPayloads * JSON_VALUES_PER_PAYLOAD + 64) throw tooMany(limits);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpProblem(400, 'body must be JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new HttpProblem(400, 'body must be { payloads: [...] }');
  const list = (body as { payloads?: unknown }).payloads ?? [];
  if (!Array.isArray(list)) throw new HttpProblem(400, 'payloads must be a list');
  if (list.length > limits.maxPayloads) throw tooMany(limits);
  return list as JsonPayload[];
}

function toPayload(p: JsonPayload): Payload {
  if (!p || typeof p !== 'object') throw new HttpProblem(400, 'each payload must be an object');
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (typeof v !== 'string') throw new HttpProblem(400, 'metadata values must be base64 strings');
    metadata[k] = Buffer.from(v, 'base64');
  }
  if (p.data !== undefined && typeof p.data !== 'string') throw new HttpProblem(400, 'data must be base64');
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

function fromPayload(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {}))
    if (v) metadata[k] = Buffer.from(v).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}

function* slices(list: JsonPayload[]): Generator<JsonPayload[]> {
  let start = 0;
  let chars = 0;
  for (let i = 0; i < list.length; i++) {
    const data = list[i]?.data;
    chars += typeof data === 'string' ? data.length : 0;
    if (i + 1 - start >= SLICE_PAYLOADS || chars >= SLICE_BASE64_CHARS) {
      yield list.slice(start, i + 1);
      start = i + 1;
      chars = 0;
    }
  }
  if (start < list.length) yield list.slice(start);
}

/**
 * Runs `convert` (the codec's encode or decode) over the list a slice at a time, giving the event
 * loop a turn after each slice. Stops with 503 at `deadline`, and quietly once `abandoned()` says
 * the client has gone.
 */
export async function convertInSlices(
  list: JsonPayload[],
  convert: (payloads: Payload[]) => Promise<Payload[]>,
  bounds: { deadline: number; timeoutMs: number; abandoned: () => boolean },
): Promise<JsonPayload[]> {
  const out: JsonPayload[] = [];
  for (const slice of slices(list)) {
    if (bounds.abandoned()) throw new HttpProblem(400, 'the client closed the connection');
    if (Date.now() > bounds.deadline)
      throw new HttpProblem(
        503,
        `the codec request took longer than ${bounds.timeoutMs} ms: send fewer payloads at once`,
        { 'retry-after': '1' },
      );
    let converted: Payload[];
    try {
      converted = await convert(slice.map(toPayload));
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      throw new HttpProblem(400, (err as Error).message);
    }
    for (const p of converted) out.push(fromPayload(p));
    await nextTurn();
  }
  return out;
}
