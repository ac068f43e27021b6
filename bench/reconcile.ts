import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/logging/logger.js';
import { startMailchimpSimulator } from '../simulators/mailchimp/index.js';
import { startSage300Simulator } from '../simulators/sage300/index.js';
import { jobId } from '../src/workflows/job-id.js';
import {
  RECONCILE_WORKFLOW_TYPE,
  reconcileJobId,
  type ReconcileResult,
} from '../src/workflows/reconcile-job.js';
import type { SyncJobResult } from '../src/workflows/types.js';
import { installRuntime } from '../src/temporal/runtime.js';
import { simulatorEnv, startBenchStack } from './stack.js';
import { round } from './format.js';

export interface ReconcileBenchOptions {
  orders: number;
  linesPerOrder: number;
  /** Days the orders are spread over (one table row per day). */
  days: number;
  /** Mailchimp simulator latency per request while reconciling (the store is filled without it). */
  latencyMs: number;
  maxConnections: number;
  log: (line: string) => void;
}

const FIRST_DAY = Date.UTC(2025, 0, 1);
const dayOf = (i: number, days: number) =>
  new Date(FIRST_DAY + (i % days) * 86_400_000).toISOString().slice(0, 10);

/**
 * The reconciliation of N orders through the whole stack: its own dev server, both simulators over
 * HTTP, a real worker. The store is filled by a backfill first (at no latency: that is the order
 * sync's benchmark), then one reconciliation of the whole period is timed at the given latency.
 */
export async function benchReconcile(opts: ReconcileBenchOptions): Promise<Record<string, number>> {
  const { log } = opts;
  const logger = createLogger({ level: 'warn' });
  try {
    installRuntime(logger);
  } catch {
    // A runtime is installed already (a test process, or a caller that set its own).
  }
  const dir = mkdtempSync(join(tmpdir(), 'ml-bench-reconcile-'));
  const stops: Array<() => Promise<unknown>> = [];
  try {
    const customersCount = Math.max(50, Math.min(5000, Math.ceil(opts.orders / 10)));
    const sage = await startSage300Simulator({
      company: 'BENCH',
      customers: 0,
      orders: 0,
      items: 200,
      pageSize: 1000,
      today: '2026-11-27',
    });
    stops.push(() => sage.stop());
    for (let i = 0; i < customersCount; i++) {
      sage.data.addCustomer({
        CustomerNumber: `B${String(i).padStart(6, '0')}`,
        CustomerName: `Bench Customer ${i}`,
        Email: `buyer${i}@bench-shop.com`,
        CurrencyCode: i % 7 === 0 ? 'CAD' : 'USD',
      });
    }
    const items = sage.data.items().map((it) => String(it.UnformattedItemNumber));
    for (let i = 0; i < opts.orders; i++) {
      sage.data.enterOrder({
        CustomerNumber: `B${String(i % customersCount).padStart(6, '0')}`,
        OrderDate: dayOf(i, opts.days),
        lines: Array.from({ length: opts.linesPerOrder }, (_, k) => ({
          item: items[(i * 7 + k * 13) % items.length]!,
          quantity: 1 + ((i + k) % 5),
          unitPrice: 5 + ((i * 3 + k) % 50),
        })),
      });
    }
    const mc = await startMailchimpSimulator({ latencyMs: 0, maxConnections: opts.maxConnections });
    stops.push(() => mc.stop());
    const listId = mc.state.createList({ name: 'Bench' });
    const taskQueue = 'bench-reconcile';
    const stack = await startBenchStack({
      dir,
      logger,
      taskQueue,
      shutdownGraceTime: '2s',
      env: simulatorEnv(sage, mc, listId, opts.maxConnections),
    });
    stops.push(() => stack.stop());
    const { client } = stack;

    const filling = Date.now();
    const sync: SyncJobResult = await client.workflow.execute('orderSync', {
      taskQueue,
      workflowId: jobId('orders', sage.company, new Date(), 'manual'),
      args: [{ stream: 'orders', company: sage.company, trigger: 'manual', full: true }],
    });
    log(
      `store filled: ${sync.counts.created} orders x ${opts.linesPerOrder} lines over ${opts.days} days in ${round((Date.now() - filling) / 1000)} s`,
    );

    mc.settings.latencyMs = opts.latencyMs;
    const mcBefore = mc.stats.requests;
    const sageBefore = sage.requestCount;
    const started = process.hrtime.bigint();
    const result: ReconcileResult = await client.workflow.execute(RECONCILE_WORKFLOW_TYPE, {
      taskQueue,
      workflowId: reconcileJobId(sage.company, new Date(), 'manual'),
      args: [
        {
          company: sage.company,
          trigger: 'manual',
          from: dayOf(0, opts.days),
          to: dayOf(opts.days - 1, opts.days),
        },
      ],
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const out = {
      orders: opts.orders,
      linesPerOrder: opts.linesPerOrder,
      days: result.days.length,
      latencyMs: opts.latencyMs,
      maxConnections: opts.maxConnections,
      sageOrders: result.counts.sageOrders,
      storeOrders: result.counts.mailchimpOrders,
      differences: result.counts.missing + result.counts.gone + result.counts.different,
      seconds: round(seconds, 2),
      ordersPerSecond: round(result.counts.sageOrders / seconds),
      mailchimpRequests: mc.stats.requests - mcBefore,
      sageRequests: sage.requestCount - sageBefore,
      maxConcurrent: mc.stats.maxConcurrent,
      rejected429: mc.stats.rejected429,
    };
    log(
      `reconciliation: ${out.sageOrders} Sage orders beside ${out.storeOrders} store orders, ${out.days} day rows, ` +
        `${out.differences} differences in ${out.seconds} s (${out.ordersPerSecond} orders/s); ` +
        `${out.mailchimpRequests} Mailchimp requests at ${opts.latencyMs} ms, ${out.sageRequests} Sage requests, 429s ${out.rejected429}`,
    );
    return out;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
