import { setTimeout as sleep } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import got from 'got';
import tar from 'tar-stream';
import { z } from 'zod';
import { withRetries, type RetryPolicy } from '../shared/http-retry.js';
import { MailchimpError, MailchimpRetryableError, isTransient } from './errors.js';
import { normalizeEmail, subscriberHash } from './hash.js';
import type { MailchimpHttp } from './http.js';
import { parseWith } from './members.js';
import type { MemberInput, OutcomeError } from './types.js';

export interface BatchOperation {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to /3.0, e.g. `/lists/abc/members/<hash>`. */
  path: string;
  params?: Record<string, string>;
  /** Sent as the JSON string Mailchimp expects. */
  body?: unknown;
  operation_id?: string;
}

export const batchSchema = z
  .object({
    id: z.string(),
    status: z.string(),
    total_operations: z.number(),
    finished_operations: z.number(),
    errored_operations: z.number(),
    response_body_url: z.string().optional(),
  })
  .loose();
export type MailchimpBatch = z.infer<typeof batchSchema>;

export interface BatchOperationResult {
  operationId: string | null;
  status: number;
  ok: boolean;
  /** Parsed body of the sub-request (the archive holds it as a JSON string). */
  response: unknown;
  error?: Omit<OutcomeError, 'kind'> & { kind: 'permanent' | 'retryable' | 'auth' };
}

/**
 * One PUT per member, the same body as the direct path (status_if_new only); operation_id = subscriber
 * hash of the input's address, so results match inputs by it. A customer whose address changed
 * (`memberId`) is PUT to its member's hash, as the direct path does: Mailchimp moves that member
 * instead of adding a second one. Members `archived` holds (by the member written) are left out: a
 * PUT would unarchive them.
 */
export function memberUpsertOperations(
  listId: string,
  inputs: MemberInput[],
  archived?: { statusOf(memberId: string): string | undefined },
): BatchOperation[] {
  return inputs.flatMap((m): BatchOperation[] => {
    const email = normalizeEmail(m.email);
    const hash = subscriberHash(email);
    const target = m.memberId ?? hash;
    if (archived?.statusOf(target) === 'archived') return [];
    const body: Record<string, unknown> = {
      email_address: email,
      status_if_new: m.statusIfNew,
      merge_fields: m.mergeFields,
    };
    if (m.language) body.language = m.language;
    if (m.tags && m.tags.length > 0) body.tags = m.tags;
    return [
      {
        method: 'PUT',
        path: `/lists/${encodeURIComponent(listId)}/members/${encodeURIComponent(target)}`,
        body,
        operation_id: hash,
      },
    ];
  });
}

export async function submitBatch(http: MailchimpHttp, ops: BatchOperation[]): Promise<MailchimpBatch> {
  const operations = ops.map((o) => ({
    method: o.method,
    path: o.path,
    ...(o.params ? { params: o.params } : {}),
    ...(o.body === undefined ? {} : { body: JSON.stringify(o.body) }),
    ...(o.operation_id ? { operation_id: o.operation_id } : {}),
  }));
  return parseWith(batchSchema, await http.request('POST', 'batches', { json: { operations } }), 'batch');
}

export async function getBatch(http: MailchimpHttp, id: string): Promise<MailchimpBatch> {
  return parseWith(batchSchema, await http.request('GET', `batches/${encodeURIComponent(id)}`), 'batch');
}

/** Polls until the batch finishes; batches queue per account and can take minutes to hours. */
export async function waitForBatch(
  http: MailchimpHttp,
  id: string,
  opts: { pollMs?: number; timeoutMs?: number; onProgress?: (b: MailchimpBatch) => void } = {},
): Promise<MailchimpBatch> {
  const deadline = Date.now() + (opts.timeoutMs ?? 6 * 3600_000);
  for (;;) {
    const batch = await getBatch(http, id);
    opts.onProgress?.(batch);
    if (batch.status === 'finished') return batch;
    if (Date.now() > deadline) {
      throw new MailchimpRetryableError(
        `Mailchimp batch ${id} is still ${batch.status}; check it again later`,
      );
    }
    await sleep(opts.pollMs ?? 5000);
  }
}

const resultSchema = z.array(
  z
    .object({ status_code: z.number(), operation_id: z.string().nullable().optional(), response: z.string() })
    .loose(),
);

function classify(status: number, response: unknown): BatchOperationResult['error'] {
  const doc = (response && typeof response === 'object' ? response : {}) as {
    title?: unknown;
    detail?: unknown;
  };
  const base = {
    status,
    title: typeof doc.title === 'string' ? doc.title : undefined,
    detail: typeof doc.detail === 'string' ? doc.detail : undefined,
  };
  if (status === 401 || status === 403) return { kind: 'auth', ...base };
  if (status === 429 || status >= 500) return { kind: 'retryable', ...base };
  return { kind: 'permanent', ...base };
}

async function downloadArchive(url: string, timeoutMs: number): Promise<Buffer> {
  try {
    return await got(url, {
      responseType: 'buffer',
      timeout: { request: timeoutMs },
      retry: { limit: 0 },
    }).buffer();
  } catch (err) {
    const e = err as { code?: string; response?: { statusCode?: number } };
    throw new MailchimpRetryableError(
      `cannot download the Mailchimp batch results: ${(err as Error).message}`,
      {
        code: e.code,
        status: e.response?.statusCode,
      },
    );
  }
}

/**
 * Downloads the result archive (a pre-signed URL: sent without our credentials) and returns one result
 * per operation; per-operation failures (compliance state, fake address) exist only here.
 */
export async function fetchBatchResults(
  url: string,
  timeoutMs: number,
  retry: RetryPolicy,
): Promise<BatchOperationResult[]> {
  const archive = await withRetries(() => downloadArchive(url, timeoutMs), {
    policy: retry,
    retryable: (err) => isTransient(err) && {},
  });
  const results: BatchOperationResult[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (header.type === 'file' && header.name.endsWith('.json')) {
        try {
          for (const r of resultSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')))) {
            let response: unknown = r.response;
            try {
              response = r.response === '' ? undefined : JSON.parse(r.response);
            } catch {
              // keep the raw text (an HTML error page, for example)
            }
            const ok = r.status_code >= 200 && r.status_code < 300;
            results.push({
              operationId: r.operation_id ?? null,
              status: r.status_code,
              ok,
              response,
              ...(ok ? {} : { error: classify(r.status_code, response) }),
            });
          }
        } catch (err) {
          next(
            new MailchimpError(
              `unreadable Mailchimp batch result file ${header.name}: ${(err as Error).message}`,
            ),
          );
          return;
        }
      }
      next();
    });
    stream.resume();
  });
  await pipeline(Readable.from(archive), createGunzip(), extract);
  return results;
}
