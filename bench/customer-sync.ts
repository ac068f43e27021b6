import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/logging/logger.js';
import { startSage300Simulator } from '../simulators/sage300/index.js';
import { findDuplicates } from '../src/domain/customers/duplicates.js';
import {
  DEFAULT_MAPPING_SETTINGS,
  syncedEmailIdentity,
  type CustomerFields,
} from '../src/domain/customers/mapping.js';
import { changeOnePercent } from './changes.js';
import { startMailchimpChild } from './children.js';
import { historySize } from './history-payloads.js';
import { naiveSerialWriter } from './naive-writer.js';
import { runJob } from './run-job.js';
import { startBenchStack } from './stack.js';
import { mb, round } from './format.js';

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
    const [listId, naiveList] = mc.lists;
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
      { log },
    ).finally(() => clearInterval(sampler));
    const { result, seconds } = full;
    const c = result.counts;
    const writes = c.created + c.updated + c.failed;
    const history = await historySize(client, full.id);

    // Incremental: 1% of the customers edited in Sage, then a scheduled-style run.
    const customersTable = sage.data.tables.ARCustomers;
    const { changed } = changeOnePercent(sage.data);
    const rowsBefore = sage.rowsServed.ARCustomers ?? 0;
    const incremental = await runJob(
      client,
      taskQueue,
      { stream: 'customers', company: sage.company, trigger: 'manual' },
      { log },
    );
    const incrementalRows = (sage.rowsServed.ARCustomers ?? 0) - rowsBefore;
    const incrementalHistory = await historySize(client, incremental.id);
    const map010 = opts.sharedEmails ? mapBytesOf010(customersTable.scan()) : undefined;

    const mcStats = await mc.stats();
    // The naive writer: the same mapped members, one PUT after another, on a fresh audience.
    const naive = await naiveSerialWriter({
      apiUrl: mc.apiUrl,
      apiKey: mc.apiKey,
      listId: naiveList,
      rows: customersTable.scan(),
      sample: opts.naiveSample,
    });
    const naiveRate = naive.perSecond;
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
      naiveSample: naive.members,
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
    if (naive.members)
      log(
        `naive serial writer: ${metrics.naiveWritesPerSecond} members/s on ${naive.members}; speed-up x${metrics.speedupOverNaive}`,
      );
    return metrics;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
