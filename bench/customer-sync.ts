import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import got from 'got';
import { createLogger } from '../src/logging/logger.js';
import { subscriberHash } from '../src/mailchimp/hash.js';
import { siblingModule } from '../src/shared/paths.js';
import { fork, type ChildProcess } from 'node:child_process';
import { startSage300Simulator } from '../simulators/sage300/index.js';
import type { Client } from '@temporalio/client';
import { findDuplicates } from '../src/domain/customers/duplicates.js';
import {
  DEFAULT_MAPPING_SETTINGS,
  mapCustomer,
  syncedEmailIdentity,
  type CustomerFields,
} from '../src/domain/customers/mapping.js';
import { jobId } from '../src/workflows/job-id.js';
import { historySize } from './history-payloads.js';
import { startBenchStack } from './stack.js';
import type { SyncJobInput, SyncJobResult } from '../src/workflows/types.js';

export interface BenchCustomerSyncOptions {
  customers: number;
  /** The first 2n generated customers share n addresses in pairs (the duplicate map's worst case). */
  sharedEmails?: number;
  /** Mailchimp simulator latency per request. */
  latencyMs: number;
  /** Connections the connector may open to Mailchimp (the simulator caps at 10). */
  maxConnections: number;
  /** Members written one by one by the naive serial writer, for comparison (0: not run). */
  naiveSample: number;
  log: (line: string) => void;
}

interface MailchimpChild {
  apiUrl: string;
  apiKey: string;
  lists: string[];
  stats(): Promise<{ requests: number; maxConcurrent: number; rejected429: number }>;
  stop(): Promise<void>;
}

async function startMailchimpChild(options: {
  latencyMs: number;
  maxConnections: number;
}): Promise<MailchimpChild> {
  const child: ChildProcess = fork(
    siblingModule(import.meta.url, './mailchimp-child'),
    [JSON.stringify(options)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const next = (kind: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (m?.kind !== kind) return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`Mailchimp simulator process exited (${code})`)));
    });
  const ready = await next('ready');
  return {
    apiUrl: ready.apiUrl as string,
    apiKey: ready.apiKey as string,
    lists: ready.lists as string[],
    async stats() {
      const reply = next('stats');
      child.send('stats');
      return (await reply).stats as { requests: number; maxConcurrent: number; rejected429: number };
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      child.kill('SIGKILL');
    },
  };
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Starts a customer job, logs its progress every 10 s, and waits for it. */
async function runJob(
  client: Client,
  taskQueue: string,
  input: SyncJobInput,
  log: (line: string) => void,
): Promise<{ id: string; result: SyncJobResult; seconds: number }> {
  const id = jobId('customers', input.company, new Date(), 'manual');
  const started = Date.now();
  const handle = await client.workflow.start('customerSync', { taskQueue, workflowId: id, args: [input] });
  const progress = setInterval(() => {
    void handle
      .query<SyncJobResult>('progress')
      .then((p) => log(`  ${p.status} read ${p.counts.read} written ${p.counts.created + p.counts.updated}`))
      .catch(() => undefined);
  }, 10_000);
  try {
    const result = (await handle.result()) as SyncJobResult;
    return { id, result, seconds: (Date.now() - started) / 1000 };
  } finally {
    clearInterval(progress);
  }
}

/** Bytes of the loser -> winner map 0.1.0 returned from findDuplicateEmails and carried in history. */
function mapBytesOf010(rows: Iterable<Record<string, unknown>>): { losers: number; bytes: number } {
  const entries: Array<{ key: string; identity: string }> = [];
  for (const row of rows) {
    const identity = syncedEmailIdentity(row as unknown as CustomerFields, DEFAULT_MAPPING_SETTINGS);
    if (identity) entries.push({ key: String(row.CustomerNumber).trim(), identity });
  }
  const { duplicateOf } = findDuplicates(entries);
  return { losers: Object.keys(duplicateOf).length, bytes: Buffer.byteLength(JSON.stringify(duplicateOf)) };
}

/**
 * A full customer sync of `customers` generated Sage customers into the Mailchimp simulator with a
 * per-request latency and a 10-connection cap, on its own Temporal dev server (temp database), and
 * in the same run a one-request-per-member serial writer (what common store plugins do) on a sample.
 */
export async function benchCustomerSync(opts: BenchCustomerSyncOptions): Promise<Record<string, number>> {
  const { log } = opts;
  const logger = createLogger({ level: 'warn' });
  const dir = mkdtempSync(join(tmpdir(), 'ml-bench-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    const sage = await startSage300Simulator({
      customers: opts.customers,
      ...(opts.sharedEmails ? { sharedEmails: opts.sharedEmails } : {}),
      orders: 0,
      items: 0,
      pageSize: 1000,
      company: 'BENCH',
    });
    stops.push(() => sage.stop());
    const mc = await startMailchimpChild({ latencyMs: opts.latencyMs, maxConnections: 10 });
    stops.push(() => mc.stop());
    const [listId, naiveList] = mc.lists as [string, string];
    log(
      `simulators: ${opts.customers} customers${opts.sharedEmails ? ` (${2 * opts.sharedEmails} sharing ${opts.sharedEmails} addresses in pairs)` : ''} (Sage page size 1000), Mailchimp ${opts.latencyMs} ms/request, 10-connection cap`,
    );

    const taskQueue = 'bench';
    const stack = await startBenchStack({
      dir,
      logger,
      taskQueue,
      env: {
        SAGE300_BASE_URL: sage.baseUrl,
        SAGE300_COMPANY: sage.company,
        SAGE300_USERNAME: sage.username,
        SAGE300_PASSWORD: sage.password,
        SAGE300_PAGE_SIZE: '1000',
        MAILCHIMP_API_KEY: mc.apiKey,
        MAILCHIMP_API_URL: mc.apiUrl,
        MAILCHIMP_LIST_ID: listId,
        MAILCHIMP_MAX_CONNECTIONS: String(opts.maxConnections),
      },
    });
    stops.push(() => stack.stop());
    const { client } = stack;
    log(`temporal dev server ${stack.address}`);

    const baselineRss = process.memoryUsage().rss;
    let peakRss = baselineRss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 200);
    const full = await runJob(
      client,
      taskQueue,
      { stream: 'customers', company: sage.company, trigger: 'manual', full: true },
      log,
    ).finally(() => clearInterval(sampler));
    const { result, seconds } = full;
    const c = result.counts;
    const writes = c.created + c.updated + c.failed;
    const history = await historySize(client, full.id);

    // Incremental: 1% of the customers edited in Sage (one in each hundred, at a scattered place, so
    // both customers of a pair are seldom changed together), then a scheduled-style run.
    const customersTable = sage.data.tables.ARCustomers;
    const changed: string[] = [];
    for (let m = 0; 100 * m < customersTable.size; m++) {
      const p = 100 * m + ((m * 7919) % 100);
      if (p < customersTable.size) changed.push(String(customersTable.at(p).CustomerNumber));
    }
    for (const key of changed) sage.data.editCustomer(key, { CustomerName: `Renamed ${key}` });
    const rowsBefore = sage.rowsServed.ARCustomers ?? 0;
    const incremental = await runJob(
      client,
      taskQueue,
      { stream: 'customers', company: sage.company, trigger: 'manual' },
      log,
    );
    const incrementalRows = (sage.rowsServed.ARCustomers ?? 0) - rowsBefore;
    const incrementalHistory = await historySize(client, incremental.id);
    const map010 = opts.sharedEmails ? mapBytesOf010(customersTable.scan()) : undefined;

    const mcStats = await mc.stats();
    // The naive writer: the same mapped members, one PUT after another, on a fresh audience.
    const sample: CustomerFields[] = [];
    for (const row of opts.naiveSample > 0 ? customersTable.scan() : []) {
      const mapped = mapCustomer(row as unknown as CustomerFields, DEFAULT_MAPPING_SETTINGS);
      if (mapped.kind === 'member' && !/\.example$/i.test(mapped.member.email))
        sample.push(row as unknown as CustomerFields);
      if (sample.length >= opts.naiveSample) break;
    }
    const auth = `Basic ${Buffer.from(`naive:${mc.apiKey}`).toString('base64')}`;
    const naiveStarted = Date.now();
    for (const row of sample) {
      const mapped = mapCustomer(row, DEFAULT_MAPPING_SETTINGS);
      if (mapped.kind !== 'member') continue;
      const email = mapped.member.email.trim().toLowerCase();
      await got.put(`${mc.apiUrl}/lists/${naiveList}/members/${subscriberHash(email)}`, {
        headers: { authorization: auth },
        json: {
          email_address: email,
          status_if_new: mapped.member.statusIfNew,
          merge_fields: mapped.member.mergeFields,
          tags: mapped.member.tags,
        },
        retry: { limit: 3 },
      });
    }
    const naiveSeconds = (Date.now() - naiveStarted) / 1000;
    const naiveRate = sample.length ? sample.length / naiveSeconds : 0;

    const writeRate = writes / seconds;
    const bestRate = opts.maxConnections / (opts.latencyMs / 1000);
    const metrics: Record<string, number> = {
      customers: opts.customers,
      seconds: round(seconds),
      read: c.read,
      created: c.created,
      updated: c.updated,
      unchanged: c.unchanged,
      skipped: c.skipped,
      failed: c.failed,
      recordsPerSecond: round(c.read / seconds),
      writesPerSecond: round(writeRate),
      bestWritesPerSecond: round(bestRate),
      ratioToBest: round(writeRate / bestRate, 3),
      peakRssMb: mb(peakRss),
      rssGrowthMb: mb(peakRss - baselineRss),
      runs: history.runs,
      historyEvents: history.events,
      historyEventsPer1000Records: round((history.events / c.read) * 1000),
      largestPayloadBytes: history.largestPayloadBytes,
      incrementalChanged: changed.length,
      incrementalSeconds: round(incremental.seconds),
      incrementalRead: incremental.result.counts.read,
      incrementalSageRowsRead: incrementalRows,
      incrementalSageRowsPercent: round((incrementalRows / customersTable.size) * 100, 2),
      incrementalLargestPayloadBytes: incrementalHistory.largestPayloadBytes,
      ...(map010 ? { losers: map010.losers, mapBytesIn010: map010.bytes } : {}),
      mailchimpRequests: mcStats.requests,
      mailchimpMaxConcurrent: mcStats.maxConcurrent,
      mailchimp429: mcStats.rejected429,
      naiveSample: sample.length,
      naiveWritesPerSecond: round(naiveRate),
      speedupOverNaive: naiveRate ? round(writeRate / naiveRate) : 0,
    };
    log(
      `records/s ${metrics.recordsPerSecond}; member writes/s ${metrics.writesPerSecond} of a best ${metrics.bestWritesPerSecond} (${round(metrics.ratioToBest! * 100)} %)`,
    );
    log(
      `peak RSS ${metrics.peakRssMb} MB (Sage simulator in the same process; +${metrics.rssGrowthMb} MB during the job)`,
    );
    log(
      `history: ${history.events} events over ${history.runs} run(s), ${metrics.historyEventsPer1000Records} per 1,000 records; largest payload ${history.largestPayloadBytes} bytes (${history.largestPayloadEvent})`,
    );
    if (map010)
      log(
        `0.1.0 would have carried a map of ${map010.losers} duplicate losers: ${map010.bytes} bytes of JSON in findDuplicateEmails' result and every continue-as-new input (Temporal's limit: 2 MB)`,
      );
    log(
      `incremental run, ${changed.length} of ${customersTable.size} customers changed (1%): read ${incrementalRows} Sage customer rows = ${metrics.incrementalSageRowsPercent} % of the table (target <= 2 %), ${metrics.incrementalSeconds} s; largest payload ${incrementalHistory.largestPayloadBytes} bytes`,
    );
    if (sample.length)
      log(
        `naive serial writer: ${metrics.naiveWritesPerSecond} members/s on ${sample.length}; speed-up x${metrics.speedupOverNaive}`,
      );
    return metrics;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
