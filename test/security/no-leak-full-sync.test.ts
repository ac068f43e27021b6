import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type LogEntry, type Logger as SdkLogger } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import { startSyncJob } from '../../src/starter/start-job.js';
import { followJob, type JobOutcome } from '../../src/starter/follow.js';
import { syncStateId } from '../../src/workflows/job-id.js';
import type { SyncStream } from '../../src/workflows/types.js';
import { startSage300Simulator, type Sage300Simulator } from '../../simulators/sage300/index.js';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { connectTestTemporal, createTestWorker, type TemporalTestContext } from '../helpers/temporal.js';
import { dumpHistories, scanForSecrets } from '../helpers/leak-scan.js';
import { memoryLogger } from '../helpers/logger.js';
import { testConfig } from '../helpers/config.js';
import { simulatorVars } from '../helpers/simulator-vars.js';

// Two real syncs on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

const STORE_ID = 'leak-store';
const ENCRYPTED = Buffer.from('binary/encrypted').toString('base64');

/** Every value that must never reach Temporal or a log line in plain text. */
function sensitiveValues(sage: Sage300Simulator, secrets: string[]): string[] {
  const needles = new Set(secrets);
  const addEmail = (value: unknown) => {
    if (typeof value !== 'string' || !value.trim()) return;
    needles.add(value);
    needles.add(value.trim().toLowerCase());
  };
  // Short names ("Lee", "山田太郎") also occur as parts of ordinary words and identifiers.
  const addName = (value: unknown) => {
    if (typeof value !== 'string' || value.trim().length < 5) return;
    needles.add(value);
    needles.add(value.trim());
  };
  for (const c of sage.data.customers()) {
    addEmail(c.Email);
    addEmail(c.ContactsEmail);
    addName(c.CustomerName);
    addName(c.ContactName);
  }
  for (const o of sage.data.orders()) {
    addEmail(o.BillToEmail);
    addEmail(o.ShipToEmail);
  }
  return [...needles];
}

/** Routes the SDK's own log lines (worker, activities, workflow `log`) into `logger`, as production does. */
function routeSdkLogs(logger: ReturnType<typeof memoryLogger>['logger']): () => void {
  const runtime = Runtime.instance() as unknown as { logger: SdkLogger };
  const previous = runtime.logger;
  runtime.logger = new DefaultLogger('TRACE', (entry: LogEntry) => {
    const level = entry.level.toLowerCase() as 'trace' | 'debug' | 'info' | 'warn' | 'error';
    logger[level]({ ...(entry.meta ?? {}) }, entry.message);
  });
  return () => {
    runtime.logger = previous;
  };
}

describe('a full customer and order sync leaves no secret, email or name in plain text', () => {
  let t: TemporalTestContext;
  let raw: Client;
  let sage: Sage300Simulator;
  let mc: MailchimpSimulator;
  let company = '';
  let needles: string[] = [];
  const workerLog = memoryLogger('trace');
  const sdkLog = memoryLogger('trace');
  const outcomes: Partial<Record<SyncStream, JobOutcome>> = {};
  let listId = '';

  beforeAll(async () => {
    company = `L${randomBytes(3).toString('hex').toUpperCase().slice(0, 5)}`;
    const username = `LEAKUSER${randomBytes(4).toString('hex').toUpperCase()}`;
    const password = `LEAKPASS${randomBytes(8).toString('hex').toUpperCase()}`;
    const masterKey = randomBytes(32).toString('hex');
    sage = await startSage300Simulator({
      company,
      username,
      password,
      customers: 40,
      orders: 60,
      items: 10,
      pageSize: 25,
      // The order job's lookback uses the worker's clock: Sage's business date is today.
      today: new Date().toISOString().slice(0, 10),
    });
    mc = await startMailchimpSimulator({});
    listId = mc.state.createList({ name: 'Customers' });
    const config = testConfig({
      ...simulatorVars(sage, mc, listId, 5000),
      MAILCHIMP_STORE_ID: STORE_ID,
      // Seeded order dates end on 2026-10-31 whatever the date: the window reaches back to October 2026.
      SYNC_ORDER_LOOKBACK_DAYS: String(Math.ceil((Date.now() - Date.UTC(2026, 9, 1)) / 86_400_000)),
      ML_CONNECTOR_MASTER_KEY: masterKey,
      ML_CONNECTOR_DATA_DIR: mkdtempSync(join(tmpdir(), 'no-leak-')),
    });
    needles = sensitiveValues(sage, [sage.username, sage.password, mc.apiKey, masterKey]);

    // The production setup: client and worker share the encrypting data converter.
    const dataConverter = await createDataConverter(config, workerLog.logger);
    t = await connectTestTemporal({ dataConverter });
    // Same server, no codec: sees what the server stores.
    raw = new Client({ connection: t.client.connection, namespace: 'default' });

    const restoreSdkLogger = routeSdkLogs(sdkLog.logger);
    try {
      const worker = await createTestWorker(
        t,
        createActivities({ config, logger: workerLog.logger, version: 'test', temporalClient: t.client }),
        { dataConverter },
      );
      await worker.runUntil(async () => {
        for (const stream of ['customers', 'orders'] as const) {
          const handle = await startSyncJob(
            t.client,
            { stream, company, trigger: 'manual', full: true },
            { taskQueue: t.taskQueue },
          );
          outcomes[stream] = await followJob(handle, stream);
        }
      });
    } finally {
      restoreSdkLogger();
    }
  });
  afterAll(async () => {
    await Promise.all([sage?.stop(), mc?.stop()]);
    await t?.close();
  });

  it('both syncs complete and write to Mailchimp', async () => {
    // Ran to their end (the seeded data holds addresses Mailchimp refuses: completed with failures).
    expect(outcomes.customers?.status).toMatch(/^completed/);
    expect(outcomes.orders?.status).toMatch(/^completed/);
    expect(outcomes.customers!.counts.created).toBeGreaterThan(0);
    expect(outcomes.orders!.counts.created).toBeGreaterThan(0);

    const auth = { authorization: `Basic ${Buffer.from(`any:${mc.apiKey}`).toString('base64')}` };
    const members = (await (
      await fetch(`${mc.apiUrl}/lists/${listId}/members?count=1`, { headers: auth })
    ).json()) as { total_items: number };
    const orders = (await (
      await fetch(`${mc.apiUrl}/ecommerce/stores/${STORE_ID}/orders?count=1`, { headers: auth })
    ).json()) as { total_items: number };
    expect(members.total_items).toBeGreaterThan(0);
    expect(orders.total_items).toBeGreaterThan(0);
  });

  it('the scan is not blind: it has needles and finds one that is there', () => {
    expect(needles.length).toBeGreaterThan(40);
    expect(needles).toEqual(
      expect.arrayContaining(['ap@maplehw.ca', 'Maple Hardware Ltd.', 'zoe.dubois@example.fr']),
    );
    const planted = needles.find((n) => n.includes('@'))!;
    expect(scanForSecrets(`{"note":"${planted}"}`, needles)).toContain(planted);
    expect(scanForSecrets(Buffer.from(`{"email":"${planted}"}`).toString('base64'), needles)).toContain(
      planted,
    );
  });

  it('no workflow history on the server holds one in plain text', async () => {
    const expectedIds = [
      outcomes.customers!.jobId,
      outcomes.orders!.jobId,
      syncStateId('customers', company),
      syncStateId('orders', company),
    ];
    // Visibility lags behind the histories: wait until every workflow of the run is listed.
    let histories = '';
    for (let attempt = 0; ; attempt++) {
      histories = await dumpHistories(raw, `TaskQueue = '${t.taskQueue}'`);
      if (expectedIds.every((id) => histories.includes(`"workflowId":"${id}"`)) || attempt >= 40) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const id of expectedIds) expect(histories).toContain(`"workflowId":"${id}"`);
    // Non-trivial: the payloads are there, encrypted.
    expect(histories.length).toBeGreaterThan(10_000);
    expect(histories).toContain(ENCRYPTED);
    expect(scanForSecrets(histories, needles)).toEqual([]);
  });

  it("no line of the worker's log or of the SDK's log holds one", () => {
    // The worker logged the run (so the scan reads something), at every level down to trace.
    expect(workerLog.lines.length).toBeGreaterThan(0);
    expect(sdkLog.lines.length).toBeGreaterThan(0);
    expect(scanForSecrets(workerLog.lines.join('\n'), needles)).toEqual([]);
    expect(scanForSecrets(sdkLog.lines.join('\n'), needles)).toEqual([]);
  });
});
