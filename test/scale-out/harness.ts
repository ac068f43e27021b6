import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { requireTemporalCli } from '../../src/temporal/cli-path.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import { customerSync, orderSync } from '../../src/workflows/index.js';
import { jobId } from '../../src/workflows/job-id.js';
import type { SyncJobResult } from '../../src/workflows/types.js';
import { startSage300Simulator } from '../../simulators/sage300/index.js';
import { startMailchimpSimulator, type SimStats } from '../../simulators/mailchimp/index.js';
import { expectedMembers } from '../sync-customers/expected.js';
import { classifyOrders } from '../sync-orders/expected.js';
import { runCli, type CliProcess } from '../helpers/cli-process.js';
import { simulatorVars } from '../helpers/simulator-vars.js';
import { testConfig } from '../helpers/config.js';

export const STORE_ID = 'scale-out-store';

/**
 * A dev server of the test's own, with eager activity dispatch off as on a self-hosted server. The
 * run's shared dev server has it on: each job's pages would then run on the worker that runs its
 * workflow (sticky), and both jobs usually on the first worker to poll, so no two workers would write
 * at once. Here each page goes to whichever worker polls first, as in a scaled-out deployment.
 */
export async function startScaleOutTemporal(): Promise<{ address: string; stop(): Promise<void> }> {
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: requireTemporalCli() },
      ip: '127.0.0.1',
      log: { format: 'json', level: 'error' },
      extraArgs: ['--dynamic-config-value', 'system.enableActivityEagerExecution=false'],
    },
  });
  return { address: env.connection.options.address, stop: () => env.teardown() };
}

export interface ScaleOutRun {
  workers: number;
  mode: 'shared' | 'per-process';
  budget: number;
  stats: SimStats;
  wallMs: number;
  customers: SyncJobResult;
  orders: SyncJobResult;
  expected: { members: number; orders: number };
  /** Order ids and how many successful creations each had. */
  orderCreations: ReadonlyMap<string, number>;
  /** Each worker's shares, as it logged them (the holder's last share > 0 means it wrote). */
  sharesByWorker: number[][];
  stderr: string[];
}

function sharesOf(stdout: string): number[] {
  const shares: number[] = [];
  for (const line of stdout.split('\n')) {
    if (!line.includes('Mailchimp connection share')) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; share?: number };
      if (entry.msg === 'Mailchimp connection share' && typeof entry.share === 'number')
        shares.push(entry.share);
    } catch {
      // not a log line of ours
    }
  }
  return shares;
}

/**
 * `workers` production workers (`ml-connector worker`, the built CLI) on one task queue, one Sage
 * company and one Mailchimp key whose simulator answers 429 past `budget` requests at once, the
 * same as MAILCHIMP_MAX_CONNECTIONS. A customer job and an order job run at the same time (two
 * streams, so the stream lock lets both run).
 */
export async function runScaleOut(opts: {
  /** A Temporal server of the test's own (startScaleOutTemporal). */
  address: string;
  workers: number;
  mode: 'shared' | 'per-process';
  budget: number;
  customers: number;
  orders: number;
  latencyMs: number;
}): Promise<ScaleOutRun> {
  const company = `S${randomBytes(3).toString('hex').toUpperCase().slice(0, 5)}`;
  const taskQueue = `scale-out-${randomUUID()}`;
  const security = {
    ML_CONNECTOR_MASTER_KEY: randomBytes(32).toString('hex'),
    ML_CONNECTOR_DATA_DIR: mkdtempSync(join(tmpdir(), 'scale-out-')),
  };
  const sage = await startSage300Simulator({
    company,
    customers: opts.customers,
    orders: opts.orders,
    items: 10,
    pageSize: 25,
    today: new Date().toISOString().slice(0, 10),
  });
  const mc = await startMailchimpSimulator({
    maxConnections: opts.budget,
    latencyMs: opts.latencyMs,
    latencyJitterMs: opts.latencyMs,
  });
  const listId = mc.state.createList({ name: 'Customers' });
  const vars: Record<string, string> = {
    ...simulatorVars(sage, mc, listId, 10_000),
    ...security,
    MAILCHIMP_STORE_ID: STORE_ID,
    MAILCHIMP_MAX_CONNECTIONS: String(opts.budget),
    MAILCHIMP_CONNECTION_BUDGET: opts.mode,
    SYNC_ORDER_CHUNK_SIZE: '25',
    // Seeded order dates end on 2026-10-31 whatever the date: the window reaches back to October 2026.
    SYNC_ORDER_LOOKBACK_DAYS: String(Math.ceil((Date.now() - Date.UTC(2026, 9, 1)) / 86_400_000)),
    TEMPORAL_ADDRESS: opts.address,
    ML_CONNECTOR_TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
  };
  const connection = await Connection.connect({ address: opts.address });
  const client = new Client({ connection, dataConverter: await createDataConverter(testConfig(security)) });
  const workers: CliProcess[] = [];
  try {
    for (let i = 0; i < opts.workers; i++) workers.push(runCli(['worker'], vars));
    for (const w of workers) await w.waitFor(/worker polling/, 60_000);
    const started = Date.now();
    const at = new Date(Date.UTC(2026, 10, 27));
    const [customers, orders] = await Promise.all([
      client.workflow.execute(customerSync, {
        taskQueue,
        workflowId: jobId('customers', company, at, 'manual'),
        args: [{ stream: 'customers', company, trigger: 'manual', full: true }],
        workflowExecutionTimeout: '5m',
      }),
      client.workflow.execute(orderSync, {
        taskQueue,
        workflowId: jobId('orders', company, at, 'manual'),
        args: [{ stream: 'orders', company, trigger: 'manual', full: true }],
        workflowExecutionTimeout: '5m',
      }),
    ]);
    const wallMs = Date.now() - started;
    return {
      workers: opts.workers,
      mode: opts.mode,
      budget: opts.budget,
      stats: { ...mc.stats },
      wallMs,
      customers,
      orders,
      expected: {
        members: expectedMembers(sage.data.customers()).members.size,
        orders: classifyOrders(sage.data.orders(), sage.data.customers()).orders.size,
      },
      orderCreations: new Map(mc.state.orderCreations(STORE_ID)),
      sharesByWorker: workers.map((w) => sharesOf(w.stdout())),
      stderr: workers.map((w) => w.stderr()),
    };
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    for (const w of workers) await w.exitWithin(30_000).catch(() => undefined);
    await connection.close();
    await Promise.all([sage.stop(), mc.stop()]);
  }
}

/** One line for the test log: what a run measured. */
export function describeRun(r: ScaleOutRun): string {
  const held = r.sharesByWorker.map((s) => (s.length ? `[${s.join(',')}]` : '-')).join(' ');
  return (
    `${r.workers} worker(s), ${r.mode} budget of ${r.budget}: maxConcurrent ${r.stats.maxConcurrent}, ` +
    `429s ${r.stats.rejected429}, requests ${r.stats.requests}, wall ${(r.wallMs / 1000).toFixed(1)} s; ` +
    `shares logged per worker ${held}`
  );
}
