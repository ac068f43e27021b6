import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import {
  DEFAULT_MAPPING_SETTINGS,
  mapCustomer,
  type CustomerFields,
} from '../src/domain/customers/mapping.js';
import { createLogger } from '../src/logging/logger.js';
import type { MemberStatus, SeedMember } from '../simulators/mailchimp/index.js';
import type { SyncJobResult, SyncStream } from '../src/workflows/types.js';
import {
  startMailchimpChild,
  startSage300Child,
  type MailchimpChild,
  type MailchimpStats,
  type Sage300Child,
} from './children.js';
import { historySize, type HistorySize } from './history-payloads.js';
import { naiveSerialWriter } from './naive-writer.js';
import { runJob } from './run-job.js';
import { simulatorEnv, startBenchStack } from './stack.js';
import { mb, round } from './format.js';

export interface ScaleBenchOptions {
  customers: number;
  orders: number;
  /** Mailchimp simulator latency per request (bulk calls add their per-member or per-operation cost). */
  latencyMs: number;
  maxConnections: number;
  /** Members the serial one-request-per-member writer sends, on the same simulator. */
  naiveSample: number;
  log: (line: string) => void;
}

const n = (v: number) => v.toLocaleString('en-US');

/** Points of a load at which the worker's RSS is reported: 10 % of 1,000,000 is the 100,000 point. */
const RSS_POINTS = [0.1, 0.5, 1] as const;

/**
 * The peak RSS of this process (the worker, its activities and the client; the simulators and the
 * dev server run in their own processes) from the start of a load up to each point of it.
 */
class RssPoints {
  private peak = 0;
  readonly at = new Map<number, number>();
  private readonly timer = setInterval(() => this.sample(), 250);

  sample(): number {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    return this.peak;
  }
  reached(fraction: number): void {
    for (const p of RSS_POINTS) if (fraction >= p && !this.at.has(p)) this.at.set(p, this.sample());
  }
  stop(): void {
    clearInterval(this.timer);
    this.reached(1);
  }
}

interface Load {
  id: string;
  result: SyncJobResult;
  seconds: number;
  rss: Map<number, number>;
  requests: number;
}

/** A full first load of one stream, with RSS at 10 %, 50 % and 100 % of the rows read. */
async function firstLoad(
  client: Client,
  taskQueue: string,
  stream: SyncStream,
  company: string,
  rows: number,
  mc: MailchimpChild,
  log: (line: string) => void,
): Promise<Load> {
  const rss = new RssPoints();
  rss.sample();
  const before = (await mc.stats()).requests;
  let lastLog = Date.now();
  const job = await runJob(
    client,
    taskQueue,
    { stream, company, trigger: 'manual', full: true },
    {
      log,
      everyMs: 2000,
      onProgress: (p) => {
        rss.reached(p.counts.read / rows);
        if (Date.now() - lastLog < 30_000) return;
        lastLog = Date.now();
        log(
          `  ${stream}: read ${n(p.counts.read)} of ${n(rows)}, written ${n(p.counts.created + p.counts.updated)}, RSS ${mb(process.memoryUsage.rss())} MB`,
        );
      },
    },
  ).finally(() => rss.stop());
  const c = job.result.counts;
  // Said at once, so a run stopped later still shows what this load did.
  log(
    `  ${stream} done: read ${n(c.read)}, written ${n(c.created + c.updated)}, failed ${n(c.failed)} in ${round(job.seconds)} s (${round((c.created + c.updated + c.failed) / job.seconds)} written or refused/s)`,
  );
  return { ...job, rss: rss.at, requests: (await mc.stats()).requests - before };
}

interface Seeded {
  members: SeedMember[];
  atSageAddresses: number;
}

/**
 * Unsubscribed and cleaned members already in the audience before the first load, half of them at
 * the addresses of Sage customers spread over the table: a sync must leave their status alone.
 */
async function seedStatuses(
  sage: Sage300Child,
  mc: MailchimpChild,
  listId: string,
  count: number,
): Promise<Seeded> {
  const wanted = Math.ceil(count / 2);
  const step = Math.max(1, Math.floor(sage.customers / (2 * wanted)));
  const emails = new Set<string>();
  for (const row of await sage.customerRows(0, 2 * wanted, step)) {
    const mapped = mapCustomer(row as unknown as CustomerFields, DEFAULT_MAPPING_SETTINGS);
    if (mapped.kind !== 'member' || /\.example$/i.test(mapped.member.email)) continue;
    emails.add(mapped.member.email.trim().toLowerCase());
    if (emails.size >= wanted) break;
  }
  const atSageAddresses = emails.size;
  for (let i = 0; emails.size < count; i++) emails.add(`seeded.${i}@example.org`);
  const members = [...emails].map((email, i): SeedMember => ({
    email,
    status: i % 2 ? 'cleaned' : 'unsubscribed',
  }));
  await mc.seed(listId, members);
  return { members, atSageAddresses };
}

const normal = (email: string) => email.trim().toLowerCase();

/**
 * Seeded members whose status is no longer what it was. A member the incremental run moved to its
 * customer's new address (`moved`: old and new Sage Email) is looked up at the new address.
 */
async function statusChanges(
  mc: MailchimpChild,
  listId: string,
  seeded: Seeded,
  moved: Array<[string, string]> = [],
): Promise<{ changes: number; moved: number }> {
  const movedTo = new Map(moved.map(([from, to]) => [normal(from), normal(to)]));
  const emails = seeded.members.map((m) => {
    const to = movedTo.get(m.email);
    return to ?? m.email;
  });
  const now = await mc.statuses(listId, emails);
  return {
    changes: seeded.members.filter((m, i) => now[i] !== (m.status as MemberStatus)).length,
    moved: seeded.members.filter((m) => movedTo.has(m.email)).length,
  };
}

function historyLine(name: string, h: HistorySize): string {
  return `${name}: ${n(h.events)} events over ${h.runs} run(s), largest payload ${n(h.largestPayloadBytes)} bytes (${h.largestPayloadEvent})`;
}

function rssLine(load: Load): { line: string; growth: number } {
  const at = (p: number) => mb(load.rss.get(p) ?? 0);
  const growth = round(at(1) / Math.max(1, at(0.1)), 3);
  return {
    line: `${at(0.1)} MB at 10 % (the 100,000 point of a 1,000,000 load), ${at(0.5)} MB at 50 %, ${at(1)} MB at 100 %: x${growth}`,
    growth,
  };
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');

/**
 * `npm run bench -- --scale`: a million customers and a million orders in a lazily generated Sage
 * simulator, both simulators in processes of their own, a full first load of each stream through
 * the real workflows, then an incremental customer run with 1 % changed; beside it, on the same
 * Mailchimp simulator, the serial one-request-per-member writer. Prints every measurement and the
 * issue #12 targets with PASS or FAIL.
 */
export async function benchScale(opts: ScaleBenchOptions): Promise<Record<string, number>> {
  const { log } = opts;
  const logger = createLogger({ level: 'warn' });
  const dir = mkdtempSync(join(tmpdir(), 'ml-bench-scale-'));
  const stops: Array<() => Promise<void>> = [];
  try {
    const sage = await startSage300Child(
      { customers: opts.customers, orders: opts.orders, items: 200, pageSize: 1000, company: 'BENCH' },
      { maxOldSpaceMb: 4096 },
    );
    stops.push(() => sage.stop());
    // The simulator keeps every member and order it is sent: more than V8's default heap at a million.
    const mc = await startMailchimpChild(
      { latencyMs: opts.latencyMs, maxConnections: 10 },
      { maxOldSpaceMb: 16_384 },
    );
    stops.push(() => mc.stop());
    const [listId, naiveList] = mc.lists;
    log(
      `simulators (own processes): Sage ${n(sage.customers)} customers and ${n(sage.orders)} orders made on demand, pages of 1,000; ` +
        `Mailchimp ${opts.latencyMs} ms/request, 10-connection cap, settings ${JSON.stringify(mc.settings)}`,
    );
    const seeded = await seedStatuses(
      sage,
      mc,
      listId,
      Math.min(4000, Math.max(20, Math.ceil(opts.customers / 100))),
    );
    log(
      `seeded ${n(seeded.members.length)} unsubscribed and cleaned members, ${n(seeded.atSageAddresses)} of them at Sage customers' addresses`,
    );

    const taskQueue = 'bench-scale';
    const stack = await startBenchStack({
      dir,
      logger,
      taskQueue,
      env: { ...simulatorEnv(sage, mc, listId, opts.maxConnections), SAGE300_PAGE_SIZE: '1000' },
    });
    stops.push(() => stack.stop());
    const { client } = stack;
    const idleRss = process.memoryUsage.rss();
    log(`worker ready (temporal dev server ${stack.address}), RSS ${mb(idleRss)} MB`);

    log(`customers: first load of ${n(sage.customers)}`);
    const members = await firstLoad(client, taskQueue, 'customers', sage.company, sage.customers, mc, log);
    const statusAfterLoad = await statusChanges(mc, listId, seeded);
    log(`orders: first load of ${n(sage.orders)}`);
    const orders = await firstLoad(client, taskQueue, 'orders', sage.company, sage.orders, mc, log);

    const { changed, moved } = await sage.changeOnePercent({ emailEvery: 10 });
    const rowsBefore = (await sage.stats()).rowsServed.ARCustomers ?? 0;
    log(`incremental: ${n(changed.length)} customers changed in Sage (1 %, one in ten with a new address)`);
    const incremental = await runJob(
      client,
      taskQueue,
      { stream: 'customers', company: sage.company, trigger: 'manual' },
      { log },
    );
    const incrementalRows = ((await sage.stats()).rowsServed.ARCustomers ?? 0) - rowsBefore;
    const statusAfterAll = await statusChanges(mc, listId, seeded, moved);

    log(`serial writer: ${n(opts.naiveSample)} members one PUT after another`);
    const naive = await naiveSerialWriter({
      apiUrl: mc.apiUrl,
      apiKey: mc.apiKey,
      listId: naiveList,
      rows: await sage.customerRows(0, 2 * opts.naiveSample),
      sample: opts.naiveSample,
    });
    const mcStats: MailchimpStats = await mc.stats();
    const sageStats = await sage.stats();
    const histories = {
      customers: await historySize(client, members.id),
      orders: await historySize(client, orders.id),
      incremental: await historySize(client, incremental.id),
    };

    const mc1 = members.result.counts;
    const o1 = orders.result.counts;
    const memberWrites = mc1.created + mc1.updated + mc1.failed;
    const memberRate = memberWrites / members.seconds;
    const orderRate = (o1.created + o1.updated) / orders.seconds;
    const perRequestCeiling = opts.maxConnections / (opts.latencyMs / 1000);
    // Full 500-member bulk calls on every connection, each paying the simulator's per-member time.
    const bulkCallMs = opts.latencyMs + 500 * Number(mc.settings.bulkPerMemberMs ?? 0);
    const bulkCeiling = (opts.maxConnections * 500) / (bulkCallMs / 1000);
    const speedUp = naive.perSecond ? memberRate / naive.perSecond : 0;
    const orderRatio = orderRate / perRequestCeiling;
    const incrementalPercent = (incrementalRows / sage.customers) * 100;
    const rssMembers = rssLine(members);
    const rssOrders = rssLine(orders);
    const statusChangesTotal = statusAfterLoad.changes + statusAfterAll.changes;

    const lines = [
      `sizes: ${n(sage.customers)} customers, ${n(sage.orders)} orders; Mailchimp ${opts.latencyMs} ms/request, ${opts.maxConnections} connections: per-request ceiling ${round(perRequestCeiling)}/s`,
      `members: ${n(memberWrites)} written (${n(mc1.created)} created, ${n(mc1.updated)} updated, ${n(mc1.failed)} refused; ${n(mc1.skipped)} skipped) in ${round(members.seconds)} s = ${round(memberRate)}/s; ` +
        `ratio to the per-request ceiling ${round(memberRate / perRequestCeiling, 2)}, to the bulk ceiling ${round(bulkCeiling)}/s ` +
        `(${opts.maxConnections} x 500 members / ${bulkCallMs} ms) ${round(memberRate / bulkCeiling, 3)}; ${n(members.requests)} Mailchimp requests (${round(members.requests / Math.max(1, memberWrites), 4)}/member)`,
      `serial writer (one PUT per member, same simulator): ${round(naive.perSecond)} members/s on ${n(naive.members)}; first load speed-up x${round(speedUp)}`,
      `orders: ${n(o1.created + o1.updated)} written (${n(o1.failed)} failed, ${n(o1.skipped)} skipped) in ${round(orders.seconds)} s = ${round(orderRate)}/s; ` +
        `ratio to the per-request ceiling ${round(orderRatio, 3)}; ${n(orders.requests)} Mailchimp requests (${round(orders.requests / Math.max(1, o1.created + o1.updated), 4)}/order)`,
      `incremental: ${n(changed.length)} changed, ${n(incremental.result.counts.read)} read by the job, ${n(incrementalRows)} Sage customer rows served = ${round(incrementalPercent, 2)} % of ${n(sage.customers)}, ${round(incremental.seconds)} s`,
      `worker RSS (idle ${mb(idleRss)} MB): customers ${rssMembers.line}`,
      `worker RSS: orders ${rssOrders.line}`,
      historyLine('history, customers first load', histories.customers),
      historyLine('history, orders first load', histories.orders),
      historyLine('history, incremental', histories.incremental),
      `seeded statuses: ${n(seeded.members.length)} unsubscribed/cleaned members (${n(seeded.atSageAddresses)} at Sage customers' addresses): ` +
        `${statusAfterLoad.changes} status changes after the first load, ${statusAfterAll.changes} after the incremental run ` +
        `(${statusAfterAll.moved} of them moved to their customer's new address and looked up there) (target 0)`,
      `Mailchimp: ${n(mcStats.requests)} requests, at most ${mcStats.maxConcurrent} at once, ${mcStats.rejected429} 429s; ` +
        `simulator RSS (own processes, not measured against): Mailchimp ${mb(mcStats.rss)} MB, Sage ${mb(sageStats.rss)} MB`,
      `targets:`,
      `  ${verdict(incrementalPercent <= 2)} incremental run with 1 % changed reads <= 2 % of the customer rows: ${round(incrementalPercent, 2)} %`,
      `  ${verdict(speedUp >= 20)} first load >= 20x the serial one-request-per-member writer: x${round(speedUp)}`,
      `  ${verdict(statusChangesTotal === 0)} 0 status changes to existing members: ${statusChangesTotal}`,
      `  ${verdict(orderRatio >= 0.9)} orders >= 90 % of the ceiling: ${round(orderRatio * 100)} %`,
      `  ${verdict(rssMembers.growth <= 1.2 && rssOrders.growth <= 1.2)} worker RSS at 100 % <= 1.2x RSS at 10 % (the 100,000 point at 1,000,000): customers x${rssMembers.growth}, orders x${rssOrders.growth}`,
    ];
    log('');
    for (const line of lines) log(line);
    return {
      customers: sage.customers,
      orders: sage.orders,
      latencyMs: opts.latencyMs,
      perRequestCeiling: round(perRequestCeiling),
      bulkCeiling: round(bulkCeiling),
      memberWrites,
      membersPerSecond: round(memberRate),
      naivePerSecond: round(naive.perSecond),
      speedUp: round(speedUp),
      ordersWritten: o1.created + o1.updated,
      ordersFailed: o1.failed,
      ordersPerSecond: round(orderRate),
      orderRatio: round(orderRatio, 3),
      incrementalChanged: changed.length,
      incrementalSageRows: incrementalRows,
      incrementalPercent: round(incrementalPercent, 2),
      rssCustomers10Mb: mb(members.rss.get(0.1) ?? 0),
      rssCustomers100Mb: mb(members.rss.get(1) ?? 0),
      rssOrders10Mb: mb(orders.rss.get(0.1) ?? 0),
      rssOrders100Mb: mb(orders.rss.get(1) ?? 0),
      rssGrowthCustomers: rssMembers.growth,
      rssGrowthOrders: rssOrders.growth,
      seeded: seeded.members.length,
      statusChanges: statusChangesTotal,
      rejected429: mcStats.rejected429,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
