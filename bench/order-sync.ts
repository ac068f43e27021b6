import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/logging/logger.js';
import { startSage300Simulator } from '../simulators/sage300/index.js';
import { jobId } from '../src/workflows/job-id.js';
import { startMailchimpChild } from './children.js';
import { benchOrderBatches } from './order-batches.js';
import { simulatorEnv, startBenchStack } from './stack.js';
import type { SyncJobResult } from '../src/workflows/types.js';
import { installRuntime } from '../src/temporal/runtime.js';
import { round } from './format.js';

export interface OrderSyncBenchOptions {
  orders: number;
  linesPerOrder: number;
  /** Mailchimp simulator latency per request. */
  latencyMs: number;
  /** Mailchimp connections allowed (simulator cap and MAILCHIMP_MAX_CONNECTIONS, at most 10). */
  maxConnections: number;
  /** Orders (at most 1,000) also sent through `/batches` for the comparison; 0 skips it. Default 500. */
  batchOrders?: number;
  log: (line: string) => void;
}

/**
 * A backfill of N orders through the whole stack: its own Temporal dev server, both simulators over
 * HTTP (Mailchimp's in a process of its own, as the real API is remote) and a real worker. Mailchimp
 * caps simultaneous connections, so with one request per order the best possible rate is
 * maxConnections / latency; the result says how close the sync gets. Then the first orders again
 * through `/batches` (see order-batches.ts), to show what that method would do instead.
 */
export async function benchOrderSync(opts: OrderSyncBenchOptions): Promise<Record<string, number>> {
  const { log } = opts;
  const logger = createLogger({ level: 'warn' });
  try {
    installRuntime(logger); // SDK logs through the quiet logger, not INFO lines on the console
  } catch {
    // A runtime is installed already (a test process, or a caller that set its own).
  }
  const dir = mkdtempSync(join(tmpdir(), 'ml-bench-orders-'));
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const customersCount = Math.max(50, Math.min(5000, Math.ceil(opts.orders / 10)));
    const itemsCount = 200;
    const sage = await startSage300Simulator({
      company: 'BENCH',
      customers: 0,
      orders: 0,
      items: itemsCount,
      pageSize: 1000,
      today: '2026-11-27',
    });
    stops.push(() => sage.stop());
    for (let i = 0; i < customersCount; i++) {
      sage.data.addCustomer({
        CustomerNumber: `B${String(i).padStart(6, '0')}`,
        CustomerName: `Bench Customer ${i}`,
        Email: `buyer${i}@bench-shop.com`,
      });
    }
    const items = sage.data.items().map((it) => String(it.UnformattedItemNumber));
    const built = Date.now();
    for (let i = 0; i < opts.orders; i++) {
      sage.data.enterOrder({
        CustomerNumber: `B${String(i % customersCount).padStart(6, '0')}`,
        lines: Array.from({ length: opts.linesPerOrder }, (_, k) => ({
          item: items[(i * 7 + k * 13) % items.length]!,
          quantity: 1 + ((i + k) % 5),
          unitPrice: 5 + ((i * 3 + k) % 50),
        })),
      });
    }
    log(
      `seeded ${opts.orders} orders x ${opts.linesPerOrder} lines, ${customersCount} customers, ${itemsCount} items in ${Date.now() - built} ms`,
    );

    const mc = await startMailchimpChild({ latencyMs: opts.latencyMs, maxConnections: opts.maxConnections });
    stops.push(() => mc.stop());
    const listId = mc.lists[0];

    const taskQueue = 'bench-orders';
    const stack = await startBenchStack({
      dir,
      logger,
      taskQueue,
      shutdownGraceTime: '2s',
      env: simulatorEnv(sage, mc, listId, opts.maxConnections),
    });
    stops.push(() => stack.stop());
    const { client } = stack;

    const requestsBefore = (await mc.stats()).requests;
    const started = process.hrtime.bigint();
    const result: SyncJobResult = await client.workflow.execute('orderSync', {
      taskQueue,
      workflowId: jobId('orders', sage.company, new Date(), 'manual'),
      args: [{ stream: 'orders', company: sage.company, trigger: 'manual', full: true }],
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const written = result.counts.created + result.counts.updated;
    const stats = await mc.stats();
    const requests = stats.requests - requestsBefore;
    const ceiling = opts.maxConnections / (opts.latencyMs / 1000);
    const rate = written / seconds;
    const out = {
      orders: opts.orders,
      linesPerOrder: opts.linesPerOrder,
      latencyMs: opts.latencyMs,
      maxConnections: opts.maxConnections,
      written,
      failed: result.counts.failed,
      seconds: round(seconds, 2),
      recordsPerSecond: round(rate),
      ceilingPerSecond: round(ceiling),
      ratioOfCeiling: round(rate / ceiling, 3),
      mailchimpRequests: requests,
      requestsPerOrder: round(requests / Math.max(1, written), 3),
      rejected429: stats.rejected429,
      maxConcurrent: stats.maxConcurrent,
      activities: result.pages,
    };
    log(
      `order sync: ${written} orders in ${out.seconds} s = ${out.recordsPerSecond}/s; ceiling ${out.ceilingPerSecond}/s ` +
        `(${opts.maxConnections} connections / ${opts.latencyMs} ms); ratio ${out.ratioOfCeiling}; ` +
        `${requests} Mailchimp requests (${out.requestsPerOrder}/order), 429s ${out.rejected429}`,
    );
    const batchOrders = Math.min(opts.batchOrders ?? 500, opts.orders, 1000);
    if (batchOrders === 0) return out;
    const b = await benchOrderBatches({
      config: stack.config,
      storeId: 'bench-batches',
      orders: batchOrders,
    });
    const perOperationMs = mc.settings.batchItemLatencyMs as number;
    const batches = b.batches.map((x) => `${x.operations} operations in ${round(x.seconds, 1)} s`).join(', ');
    log(
      `/batches (one batch at a time, ${perOperationMs} ms an operation): ${b.products} products then ${b.created} of ${b.orders} orders ` +
        `in ${round(b.seconds, 2)} s (${batches}, each timed from its submit to its results read); ` +
        `orders ${round(b.ordersPerSecond)}/s against a ceiling of ${round(1000 / perOperationMs)} operations/s; ` +
        `one request per order is ${round(rate / b.ordersPerSecond)}x faster`,
    );
    return {
      ...out,
      batchOrders: b.orders,
      batchCreated: b.created,
      batchSeconds: round(b.seconds, 2),
      batchOrdersPerSecond: round(b.ordersPerSecond),
      batchOperationMs: perOperationMs,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
