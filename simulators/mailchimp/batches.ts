import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import type { MailchimpApi } from './api.js';
import { invalidResource, notFound, type FieldError } from './problems.js';
import type { Router } from './router.js';
import type { SimSettings } from './settings.js';
import { FieldChecker, hexId, mcTime, objectBody, paging, type Json } from './validate.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const RESULTS_PER_FILE = 500;

interface Operation {
  method: string;
  path: string;
  params?: Json;
  body?: string;
  operation_id?: string;
}

interface BatchRecord {
  id: string;
  status: 'pending' | 'started' | 'finished';
  operations: Operation[] | undefined;
  total: number;
  finished: number;
  errored: number;
  submittedAt: number;
  completedAt?: number;
  cancelled: boolean;
}

/**
 * Default `batchItemLatencyMs`: what Mailchimp takes for each operation of a `/batches` job. It runs
 * an account's batches one at a time (the API reference: batches queue), and callers report about
 * 60-75 ms per operation, one after the other: 56,785 member PUTs in one batch reached the audience
 * "gradually over the next hour" (~63 ms each, drewm/mailchimp-api#178); 110 operations went from
 * submitted_at to completed_at in 8 s, queueing included (~73 ms each, drewm/mailchimp-api#198).
 * 60 ms is the cheap end, which flatters /batches in any comparison. No pending time before a batch
 * starts and no finalising time after its last operation is modelled, though Mailchimp has both
 * (minutes to hours under load: beabee-communityrm/monorepo#712, thorning/node-mailchimp#25).
 * docs/benchmarks.md "Simulator cost model" repeats the reasoning.
 */
export const BATCH_OPERATION_MS = 60;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const yieldToIo = () => new Promise((r) => setImmediate(r));

/** Builds a .tar.gz incrementally so a 100k-operation batch holds only compressed bytes in memory. */
class ArchiveWriter {
  private readonly pack = tar.pack();
  private readonly chunks: Buffer[] = [];
  private readonly done: Promise<Buffer>;
  private pending: Json[] = [];
  private files = 0;

  constructor(private readonly batchId: string) {
    const gzip = createGzip();
    gzip.on('data', (c: Buffer) => this.chunks.push(c));
    this.done = new Promise((resolve, reject) => {
      gzip.on('end', () => resolve(Buffer.concat(this.chunks)));
      gzip.on('error', reject);
    });
    this.pack.pipe(gzip);
  }

  add(result: Json): void {
    this.pending.push(result);
    if (this.pending.length >= RESULTS_PER_FILE) this.flush();
  }

  private flush(): void {
    if (!this.pending.length && this.files > 0) return;
    this.pack.entry({ name: `${this.batchId}-${this.files++}.json` }, JSON.stringify(this.pending));
    this.pending = [];
  }

  finish(): Promise<Buffer> {
    this.flush();
    this.pack.finalize();
    return this.done;
  }
}

/**
 * POST /batches: queued, run one at a time in the background through the same dispatcher as HTTP,
 * their operations in order, each after `batchItemLatencyMs` (BATCH_OPERATION_MS by default).
 */
export class BatchRunner {
  private readonly batches = new Map<string, BatchRecord>();
  private readonly archives = new Map<string, Buffer>();
  private readonly queue: BatchRecord[] = [];
  private running = false;
  private stopped = false;
  baseUrl = '';

  constructor(
    private readonly api: MailchimpApi,
    private readonly settings: SimSettings,
  ) {}

  register(router: Router): void {
    router.on('POST', '/batches', (req) => {
      const b = objectBody(req.body);
      new FieldChecker(b).required('operations').type('operations', 'array').throwIfAny();
      const errors: FieldError[] = [];
      const ops = (b.operations as unknown[]).map((raw, i) => {
        const o = (raw && typeof raw === 'object' ? raw : {}) as Json;
        if (typeof o.method !== 'string' || !METHODS.includes(o.method.toUpperCase())) {
          errors.push({
            field: `operations.item:${i}.method`,
            message: `Value must be one of: ${METHODS.join(', ')}`,
          });
        }
        if (typeof o.path !== 'string' || o.path === '') {
          errors.push({
            field: `operations.item:${i}.path`,
            message: 'Required fields were not provided: path',
          });
        }
        if (o.body !== undefined && typeof o.body !== 'string') {
          errors.push({
            field: `operations.item:${i}.body`,
            message: 'Schema describes string, object found instead',
          });
        }
        return {
          method: String(o.method).toUpperCase(),
          path: String(o.path),
          params: o.params && typeof o.params === 'object' ? (o.params as Json) : undefined,
          body: o.body as string | undefined,
          operation_id: typeof o.operation_id === 'string' ? o.operation_id : undefined,
        };
      });
      if (errors.length) throw invalidResource(errors);
      const rec: BatchRecord = {
        id: hexId(5),
        status: 'pending',
        operations: ops,
        total: ops.length,
        finished: 0,
        errored: 0,
        submittedAt: Date.now(),
        cancelled: false,
      };
      this.batches.set(rec.id, rec);
      this.queue.push(rec);
      setImmediate(() => void this.drain());
      return { status: 200, body: this.json(rec) };
    });

    router.on('GET', '/batches', (req) => {
      const { count, offset } = paging(req.query);
      const all = [...this.batches.values()];
      return {
        status: 200,
        body: {
          batches: all.slice(offset, offset + count).map((r) => this.json(r)),
          total_items: all.length,
          _links: [],
        },
      };
    });

    router.on('GET', '/batches/:batch_id', (req) => ({
      status: 200,
      body: this.json(this.get(req.params.batch_id)),
    }));

    router.on('DELETE', '/batches/:batch_id', (req) => {
      const rec = this.get(req.params.batch_id);
      rec.cancelled = true;
      this.batches.delete(rec.id);
      this.archives.delete(rec.id);
      return { status: 204 };
    });
  }

  /** Serves `/batch-results/<id>.tar.gz` (a pre-signed URL in Mailchimp: no credentials needed). */
  serveArchive(res: ServerResponse, url: URL): boolean {
    const m = /^\/batch-results\/([0-9a-f]+)\.tar\.gz$/.exec(url.pathname);
    if (!m) return false;
    const buf = this.archives.get(m[1] ?? '');
    if (!buf) {
      res.writeHead(404, { 'Content-Type': 'application/xml' }).end('<Error><Code>NoSuchKey</Code></Error>');
      return true;
    }
    res
      .writeHead(200, {
        'Content-Type': 'application/x-gzip',
        'Content-Length': String(buf.length),
      })
      .end(buf);
    return true;
  }

  stop(): void {
    this.stopped = true;
  }

  private get(id: string | undefined): BatchRecord {
    const rec = id === undefined ? undefined : this.batches.get(id);
    if (!rec) throw notFound();
    return rec;
  }

  private json(r: BatchRecord): Json {
    const json: Json = {
      id: r.id,
      status: r.status,
      total_operations: r.total,
      finished_operations: r.finished,
      errored_operations: r.errored,
      submitted_at: mcTime(r.submittedAt),
      response_body_url: r.status === 'finished' ? `${this.baseUrl}/batch-results/${r.id}.tar.gz` : '',
      _links: [],
    };
    if (r.completedAt !== undefined) json.completed_at = mcTime(r.completedAt);
    return json;
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let rec = this.queue.shift(); rec && !this.stopped; rec = this.queue.shift()) {
        if (!rec.cancelled) await this.run(rec);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(rec: BatchRecord): Promise<void> {
    rec.status = 'started';
    const archive = new ArchiveWriter(rec.id);
    const ops = rec.operations ?? [];
    rec.operations = undefined;
    for (let i = 0; i < ops.length; i++) {
      if (rec.cancelled || this.stopped) return;
      const op = ops[i]!;
      if (this.settings.batchItemLatencyMs > 0) await sleep(this.settings.batchItemLatencyMs);
      else if (i % 100 === 0) await yieldToIo();
      const [rawPath = '', rawQuery = ''] = op.path.split('?');
      const query = new URLSearchParams(rawQuery);
      for (const [k, v] of Object.entries(op.params ?? {})) query.set(k, String(v));
      const requestId = randomUUID();
      const r = await this.api.dispatch({
        method: op.method,
        path: rawPath.replace(/^\/?3\.0(?=\/)/, '') || '/',
        query,
        rawBody: op.body,
        requestId,
      });
      archive.add({
        status_code: r.status,
        operation_id: op.operation_id ?? null,
        response: r.body === undefined ? '' : JSON.stringify(r.body),
      });
      rec.finished++;
      if (r.status >= 400) rec.errored++;
    }
    this.archives.set(rec.id, await archive.finish());
    rec.completedAt = Date.now();
    rec.status = 'finished';
  }
}
