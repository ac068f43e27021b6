import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import got from 'got';
import { createLogger } from '../src/logging/logger.js';
import { subscriberHash } from '../src/mailchimp/hash.js';
import { siblingModule } from '../src/shared/paths.js';
import { fork, type ChildProcess } from 'node:child_process';
import { startSage300Simulator } from '../simulators/sage300/index.js';
import { historyEvents, readJobTrail } from '../src/starter/audit.js';
import {
  DEFAULT_MAPPING_SETTINGS,
  mapCustomer,
  type CustomerFields,
} from '../src/domain/customers/mapping.js';
import { jobId } from '../src/workflows/job-id.js';
import { startBenchStack } from './stack.js';
import type { SyncJobInput, SyncJobResult } from '../src/workflows/types.js';

export interface BenchCustomerSyncOptions {
  customers: number;
  /** Mailchimp simulator latency per request. */
  latencyMs: number;
  /** Connections the connector may open to Mailchimp (the simulator caps at 10). */
  maxConnections: number;
  /** Members written one by one by the naive serial writer, for comparison. */
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
      `simulators: ${opts.customers} customers (Sage page size 1000), Mailchimp ${opts.latencyMs} ms/request, 10-connection cap`,
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
    const id = jobId('customers', sage.company, new Date(), 'manual');
    const started = Date.now();
    const handle = await client.workflow.start('customerSync', {
      taskQueue,
      workflowId: id,
      args: [
        { stream: 'customers', company: sage.company, trigger: 'manual', full: true } satisfies SyncJobInput,
      ],
    });
    const progress = setInterval(() => {
      void handle
        .query<SyncJobResult>('progress')
        .then((p) =>
          log(`  ${p.status} read ${p.counts.read} written ${p.counts.created + p.counts.updated}`),
        )
        .catch(() => undefined);
    }, 10_000);
    let result: SyncJobResult;
    try {
      result = (await handle.result()) as SyncJobResult;
    } finally {
      clearInterval(progress);
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;
    const c = result.counts;
    const writes = c.created + c.updated + c.failed;

    let events = 0;
    const trail = await readJobTrail(client, id);
    for (const runId of trail.runIds) {
      for await (const _event of historyEvents(client, id, runId)) events++;
    }

    const mcStats = await mc.stats();
    // The naive writer: the same mapped members, one PUT after another, on a fresh audience.
    const sample: CustomerFields[] = [];
    for (const row of sage.data.customers()) {
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
    const naiveRate = sample.length / naiveSeconds;

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
      runs: trail.runIds.length,
      historyEvents: events,
      historyEventsPer1000Records: round((events / c.read) * 1000),
      mailchimpRequests: mcStats.requests,
      mailchimpMaxConcurrent: mcStats.maxConcurrent,
      mailchimp429: mcStats.rejected429,
      naiveSample: sample.length,
      naiveWritesPerSecond: round(naiveRate),
      speedupOverNaive: round(writeRate / naiveRate),
    };
    log(
      `records/s ${metrics.recordsPerSecond}; member writes/s ${metrics.writesPerSecond} of a best ${metrics.bestWritesPerSecond} (${round(metrics.ratioToBest! * 100)} %)`,
    );
    log(
      `peak RSS ${metrics.peakRssMb} MB (Sage simulator in the same process; +${metrics.rssGrowthMb} MB during the job)`,
    );
    log(
      `history: ${events} events over ${trail.runIds.length} run(s), ${metrics.historyEventsPer1000Records} per 1,000 records`,
    );
    log(
      `naive serial writer: ${metrics.naiveWritesPerSecond} members/s on ${sample.length}; speed-up x${metrics.speedupOverNaive}`,
    );
    return metrics;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
