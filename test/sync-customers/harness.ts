import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../src/activities/index.js';
import type { AppConfig } from '../../src/config/index.js';
import { customerSync } from '../../src/workflows/index.js';
import { jobId } from '../../src/workflows/job-id.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import type { SyncJobInput, SyncJobResult } from '../../src/workflows/types.js';
import {
  startSage300Simulator,
  type Sage300Simulator,
  type Sage300SimulatorOptions,
} from '../../simulators/sage300/index.js';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { connectTestTemporal, createTestWorker, type TemporalTestContext } from '../helpers/temporal.js';
import { testConfig } from '../helpers/config.js';
import { simulatorVars } from '../helpers/simulator-vars.js';
import { memoryLogger } from '../helpers/logger.js';

/** A company ID of its own per test, so watermark entities never collide between tests. */
export function testCompany(): string {
  return `T${randomBytes(3).toString('hex').toUpperCase().slice(0, 5)}`;
}

export interface SyncHarness {
  t: TemporalTestContext;
  sage: Sage300Simulator;
  mc: MailchimpSimulator;
  listId: string;
  company: string;
  config: AppConfig;
  /** The variables `config` was read from (a child `ml-connector worker` gets the same). */
  vars: Record<string, string>;
  /** `deps`: activity options beyond the config (`bulkCreate: false` writes every member with PUT). */
  startWorker(
    vars?: Record<string, string>,
    deps?: Pick<ActivityDeps, 'bulkCreate'>,
  ): Promise<{ worker: Worker; running: Promise<void> }>;
  runJob(input?: Partial<SyncJobInput>, id?: string): Promise<SyncJobResult>;
  stop(): Promise<void>;
}

export async function startHarness(
  opts: {
    customers?: number;
    sagePageSize?: number;
    vars?: Record<string, string>;
    /** More simulator options (a binary collation...). */
    sage?: Partial<Sage300SimulatorOptions>;
    /** Encrypt payloads like the production worker does (needed to share jobs with `ml-connector worker`). */
    encrypted?: boolean;
  } = {},
): Promise<SyncHarness> {
  const company = testCompany();
  const securityVars: Record<string, string> = opts.encrypted
    ? {
        ML_CONNECTOR_MASTER_KEY: randomBytes(32).toString('hex'),
        ML_CONNECTOR_DATA_DIR: mkdtempSync(join(tmpdir(), 'customers-test-')),
      }
    : {};
  const dataConverter = opts.encrypted ? await createDataConverter(testConfig(securityVars)) : undefined;
  const t = await connectTestTemporal({ dataConverter });
  const sage = await startSage300Simulator({
    company,
    customers: opts.customers ?? 60,
    orders: 0,
    items: 0,
    pageSize: opts.sagePageSize ?? 100,
    today: '2026-11-27',
    ...opts.sage,
  });
  const mc = await startMailchimpSimulator({});
  const listId = mc.state.createList({ name: 'Customers' });
  const configVars = {
    ...simulatorVars(sage, mc, listId, 3000),
    ML_CONNECTOR_TASK_QUEUE: t.taskQueue,
    ...securityVars,
    ...opts.vars,
  };
  const config = testConfig(configVars);
  const workers: Array<{ worker: Worker; running: Promise<void> }> = [];
  let counter = 0;
  const h: SyncHarness = {
    t,
    sage,
    mc,
    listId,
    company,
    config,
    vars: configVars,
    async startWorker(vars, deps) {
      const { logger } = memoryLogger('warn');
      const workerConfig = vars ? testConfig({ ...configVars, ...vars }) : config;
      const worker = await createTestWorker(
        t,
        createActivities({
          config: workerConfig,
          logger,
          version: 'test',
          temporalClient: t.client,
          ...deps,
        }),
        { dataConverter },
      );
      const running = worker.run();
      const entry = { worker, running };
      workers.push(entry);
      return entry;
    },
    async runJob(input = {}, id) {
      const workflowId =
        id ?? jobId('customers', company, new Date(Date.UTC(2026, 10, 27, 0, 0, counter++)), 'manual');
      return t.client.workflow.execute(customerSync, {
        taskQueue: t.taskQueue,
        workflowId,
        args: [{ stream: 'customers', company, trigger: 'manual', ...input }],
        workflowExecutionTimeout: '5m',
      });
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
