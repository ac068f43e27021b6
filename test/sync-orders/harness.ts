import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { createActivities } from '../../src/activities/index.js';
import type { AppConfig } from '../../src/config/index.js';
import { orderSync } from '../../src/workflows/index.js';
import { jobId } from '../../src/workflows/job-id.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import type { SyncJobInput, SyncJobResult } from '../../src/workflows/types.js';
import { startSage300Simulator, type Sage300Simulator } from '../../simulators/sage300/index.js';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { connectTestTemporal, createTestWorker, type TemporalTestContext } from '../helpers/temporal.js';
import { testConfig } from '../helpers/config.js';
import { simulatorVars } from '../helpers/simulator-vars.js';
import { memoryLogger } from '../helpers/logger.js';

export const STORE_ID = 'sage-store';

export interface OrderHarness {
  t: TemporalTestContext;
  sage: Sage300Simulator;
  mc: MailchimpSimulator;
  listId: string;
  company: string;
  config: AppConfig;
  /** The variables `config` was read from (a child `ml-connector worker` gets the same). */
  vars: Record<string, string>;
  startWorker(): Promise<{ worker: Worker; running: Promise<void> }>;
  startJob(input?: Partial<SyncJobInput>): Promise<WorkflowHandleWithFirstExecutionRunId<typeof orderSync>>;
  runJob(input?: Partial<SyncJobInput>): Promise<SyncJobResult>;
  /** GET through the simulator's HTTP API, as any Mailchimp client would. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startOrderHarness(
  opts: {
    customers?: number;
    orders?: number;
    items?: number;
    sagePageSize?: number;
    mailchimpLatencyMs?: number;
    vars?: Record<string, string>;
    /** Encrypt payloads like the production worker does (needed to share jobs with `ml-connector worker`). */
    encrypted?: boolean;
  } = {},
): Promise<OrderHarness> {
  const company = `O${randomBytes(3).toString('hex').toUpperCase().slice(0, 5)}`;
  const securityVars: Record<string, string> = opts.encrypted
    ? {
        ML_CONNECTOR_MASTER_KEY: randomBytes(32).toString('hex'),
        ML_CONNECTOR_DATA_DIR: mkdtempSync(join(tmpdir(), 'orders-test-')),
      }
    : {};
  const dataConverter = opts.encrypted ? await createDataConverter(testConfig(securityVars)) : undefined;
  const t = await connectTestTemporal({ dataConverter });
  const sage = await startSage300Simulator({
    company,
    customers: opts.customers ?? 40,
    orders: opts.orders ?? 80,
    items: opts.items ?? 12,
    pageSize: opts.sagePageSize ?? 25,
    // The job's lookback and completed-since bounds use the worker's clock: Sage's business date is today.
    today: new Date().toISOString().slice(0, 10),
  });
  const mc = await startMailchimpSimulator({ latencyMs: opts.mailchimpLatencyMs ?? 0 });
  const listId = mc.state.createList({ name: 'Customers' });
  const vars: Record<string, string> = {
    ...simulatorVars(sage, mc, listId, 5000),
    MAILCHIMP_STORE_ID: STORE_ID,
    // Seeded order dates end on 2026-10-31 whatever the date: the window reaches back to October 2026.
    SYNC_ORDER_LOOKBACK_DAYS: String(Math.ceil((Date.now() - Date.UTC(2026, 9, 1)) / 86_400_000)),
    ...securityVars,
    ...opts.vars,
  };
  const config = testConfig(vars);
  const workers: Array<{ worker: Worker; running: Promise<void> }> = [];
  let counter = 0;
  const h: OrderHarness = {
    t,
    sage,
    mc,
    listId,
    company,
    config,
    vars,
    async startWorker() {
      const { logger } = memoryLogger('warn');
      const worker = await createTestWorker(
        t,
        createActivities({ config, logger, version: 'test', temporalClient: t.client }),
        { dataConverter },
      );
      const running = worker.run();
      const entry = { worker, running };
      workers.push(entry);
      return entry;
    },
    async startJob(input = {}) {
      const workflowId = jobId(
        'orders',
        company,
        new Date(Date.UTC(2026, 10, 27, 0, 0, counter++)),
        'manual',
      );
      return t.client.workflow.start(orderSync, {
        taskQueue: t.taskQueue,
        workflowId,
        args: [{ stream: 'orders', company, trigger: 'manual', ...input }],
        workflowExecutionTimeout: '5m',
      });
    },
    async runJob(input = {}) {
      return (await h.startJob(input)).result();
    },
    async api<T>(path: string): Promise<T> {
      const res = await fetch(`${mc.apiUrl}/${path}`, {
        headers: { authorization: `Basic ${Buffer.from(`any:${mc.apiKey}`).toString('base64')}` },
      });
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    async stop() {
      for (const w of workers) {
        if (w.worker.getState() === 'RUNNING') w.worker.shutdown();
        await w.running.catch(() => undefined);
      }
      await Promise.all([sage.stop(), mc.stop()]);
      await t.close();
    },
  };
  return h;
}

export interface ApiOrderLine {
  id: string;
  product_id: string;
  product_variant_id: string;
  quantity: number;
  price: number;
}

export interface ApiOrder {
  id: string;
  customer: { id: string; email_address?: string };
  currency_code: string;
  order_total: number;
  tax_total?: number;
  financial_status?: string;
  fulfillment_status?: string;
  campaign_id?: string;
  lines: ApiOrderLine[];
}

export async function readStoreOrders(h: OrderHarness): Promise<ApiOrder[]> {
  const all: ApiOrder[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = await h.api<{ orders: ApiOrder[]; total_items: number }>(
      `ecommerce/stores/${STORE_ID}/orders?count=500&offset=${offset}`,
    );
    all.push(...page.orders);
    if (all.length >= page.total_items || page.orders.length === 0) return all;
  }
}

/**
 * Successful order creations per id in the test store, as the simulator counted its POSTs (the store
 * keeps orders by id, so a second creation would not show in its listing): each must be 1.
 */
export function orderCreations(h: OrderHarness): Record<string, number> {
  try {
    return Object.fromEntries(h.mc.state.orderCreations(STORE_ID));
  } catch {
    return {};
  }
}

/** What orderCreations must read when exactly these ids were created, each once. */
export function createdOnce(ids: Iterable<string>): Record<string, number> {
  return Object.fromEntries([...ids].map((id) => [id, 1]));
}

/** Orders the test store holds (0 before the store exists). */
export function storedCount(h: OrderHarness): number {
  try {
    return h.mc.state.orders(STORE_ID).length;
  } catch {
    return 0; // the store does not exist yet
  }
}
