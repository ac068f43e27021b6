import { Sage300Client } from '../src/sage300/client.js';
import { startSage300Simulator } from '../simulators/sage300/index.js';
import { mb } from './format.js';

export interface Sage300ReadBenchResult {
  records: number;
  seconds: number;
  recordsPerSecond: number;
  peakRssMb: number;
  /** RSS after the simulator started, before the first page: growth above it is the read's own. */
  rssStartMb: number;
}

/**
 * Streams every customer of an N-customer simulator through the client with keyset paging, keeping
 * none of them, and samples RSS while it runs: peak RSS must not grow with N.
 */
export async function benchSage300Read(opts: {
  customers: number;
  pageSize?: number;
  log?: (line: string) => void;
}): Promise<Sage300ReadBenchResult> {
  const log = opts.log ?? (() => undefined);
  const pageSize = opts.pageSize ?? 1000;
  const sim = await startSage300Simulator({ customers: opts.customers, orders: 0, items: 1, pageSize });
  const client = new Sage300Client({
    baseUrl: sim.baseUrl,
    company: sim.company,
    username: sim.username,
    password: sim.password,
    pageSize,
  });
  try {
    (globalThis as { gc?: () => void }).gc?.();
    const rssStart = process.memoryUsage.rss();
    let peak = rssStart;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 20);
    sampler.unref();
    log(`sage300 read: ${opts.customers} customers, page size ${pageSize}, start RSS ${mb(rssStart)} MB`);
    const started = process.hrtime.bigint();
    let records = 0;
    let pages = 0;
    for await (const page of client.pages('customers', { paging: 'keyset' })) {
      records += page.length;
      pages++;
      const rss = process.memoryUsage.rss();
      peak = Math.max(peak, rss);
      // A few RSS points show the plateau: flat memory means it levels off instead of climbing with pages.
      if (pages % Math.max(1, Math.floor(opts.customers / pageSize / 5)) === 0) {
        log(`  ${records} records, RSS ${mb(rss)} MB`);
      }
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    const result: Sage300ReadBenchResult = {
      records,
      seconds: Math.round(seconds * 1000) / 1000,
      recordsPerSecond: Math.round(records / seconds),
      peakRssMb: mb(peak),
      rssStartMb: mb(rssStart),
    };
    log(
      `sage300 read: ${records} records in ${pages} pages, ${result.seconds} s, ${result.recordsPerSecond} records/s, ` +
        `peak RSS ${result.peakRssMb} MB (start ${result.rssStartMb} MB, +${mb(peak - rssStart)} MB)`,
    );
    return result;
  } finally {
    client.close();
    await sim.stop();
  }
}
