import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { lazyClients } from '../../src/activities/clients.js';
import { subscriberHash } from '../../src/mailchimp/hash.js';
import { createActivities } from '../../src/activities/index.js';
import type { CliContext } from '../../src/cli/command.js';
import { command as auditCommand } from '../../src/cli/commands/audit.js';
import { command as syncCommand } from '../../src/cli/commands/sync.js';
import { readJobTrail } from '../../src/starter/audit.js';
import { followJob } from '../../src/starter/follow.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import { defaultWorkflowsPath } from '../../src/worker/worker.js';
import { customerSync } from '../../src/workflows/index.js';
import { jobId } from '../../src/workflows/job-id.js';
import type { JobMemo, SyncCounts } from '../../src/workflows/types.js';
import { testConfig } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';
import { createTestWorker, testServerAddress } from '../helpers/temporal.js';
import { expectedMembers } from '../sync-customers/expected.js';
import { classifyOrders } from '../sync-orders/expected.js';
import {
  STORE_ID,
  createdOnce,
  orderCreations,
  startOrderHarness,
  type OrderHarness,
} from '../sync-orders/harness.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

const STORE = `/ecommerce/stores/${STORE_ID}`;
const JOB_ID =
  /^(customers|orders)-[A-Z0-9]+-(schedule|manual|replay|sandbox)-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** `ml-connector <command> ...` as the CLI runs it, against the test Temporal and the harness's worker. */
async function cli(
  h: OrderHarness,
  cmd: typeof syncCommand,
  ...argv: string[]
): Promise<{ code: number; lines: string[] }> {
  const config = testConfig({
    ...h.vars,
    TEMPORAL_ADDRESS: testServerAddress(),
    ML_CONNECTOR_TASK_QUEUE: h.t.taskQueue,
  });
  const lines: string[] = [];
  const ctx: CliContext = {
    config: async () => config,
    logger: () => memoryLogger('warn').logger,
    out: (line) => lines.push(line),
  };
  return { code: await cmd.run(argv, ctx), lines };
}

/** Waits until the job's `activity` is pending at `attempt` or later (its earlier attempts failed). */
async function untilAttempt(handle: WorkflowHandle, activity: string, attempt: number): Promise<void> {
  for (;;) {
    const pending = (await handle.describe()).raw.pendingActivities ?? [];
    if (pending.some((a) => a.activityType?.name === activity && (a.attempt ?? 0) >= attempt)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Visibility is eventually consistent: waits until `query` lists the job. */
async function untilListed(h: OrderHarness, query: string, workflowId: string): Promise<void> {
  for (;;) {
    for await (const wf of h.t.client.workflow.list({ query })) if (wf.workflowId === workflowId) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const creations = (h: OrderHarness) => Object.values(orderCreations(h)).reduce((a, b) => a + b, 0);

describe('job outcomes of order jobs: causes in plain words, honest counts', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    // One Sage page per chunk and one Mailchimp connection: orders reach Mailchimp one at a time.
    h = await startOrderHarness({
      customers: 12,
      orders: 40,
      items: 5,
      sagePageSize: 100,
      mailchimpLatencyMs: 10,
      encrypted: true,
      vars: { SYNC_ORDER_CHUNK_SIZE: '100', MAILCHIMP_MAX_CONNECTIONS: '1' },
    });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('a key revoked mid-backfill: the job fails with the setting named and counts what it wrote; is_syncing is cleared once the key is back', async () => {
    // The key is refused from the 6th order on, and for the backfill's cleanup too.
    h.mc.faults.set({
      rules: [
        { method: 'POST', path: `${STORE}/orders`, status: 401, skip: 5 },
        { method: 'PATCH', path: STORE, status: 401, skip: 1 },
      ],
    });
    const handle = await h.startJob({ full: true });
    try {
      // Clearing is_syncing keeps retrying through the refusals (an auth error does not end it)...
      await untilAttempt(handle, 'finishOrderBackfill', 3);
      expect((await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`)).is_syncing).toBe(true);
    } finally {
      h.mc.faults.clear(); // ...and gets through once the key is restored.
    }
    const outcome = await followJob(handle, 'orders');
    expect((await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`)).is_syncing).toBe(false);

    expect(outcome.status).toBe('failed');
    expect(outcome.errorType).toBe('MailchimpAuthError');
    expect(outcome.error).toMatch(
      /^syncing a chunk of orders failed: Mailchimp refused the credentials \(HTTP 401.*Check MAILCHIMP_API_KEY/,
    );
    expect(outcome.hint).toContain('ml-connector check');
    // The orders written before the refusal are in the job's counts (one connection: exact).
    const created = creations(h);
    expect(created).toBeGreaterThan(0);
    expect(outcome.counts).toMatchObject({ created, updated: 0 });
    expect(JSON.stringify(outcome)).not.toContain(h.mc.apiKey);

    // `audit` says the same: status, cause, and the five created orders in the trail.
    const trail = await readJobTrail(h.t.client, handle.workflowId);
    expect(trail.status).toBe('failed');
    expect(trail.cause).toBe(outcome.error);
    expect(trail.records.filter((r) => r.action === 'created')).toHaveLength(created);
    const audit = await cli(h, auditCommand, handle.workflowId);
    expect(audit.code).toBe(0);
    expect(audit.lines[0]).toContain(', failed, ');
    expect(audit.lines).toContain(`  cause: ${outcome.error}`);

    // The memo carries what a person needs in the UI, the final counts included.
    const memo = (await handle.describe()).memo as unknown as JobMemo;
    expect(memo).toMatchObject({ stream: 'orders', company: h.company, trigger: 'manual', status: 'failed' });
    expect(memo.counts).toEqual(outcome.counts);

    // The failure path (partial counts, memo, the job's own failure) replays deterministically.
    await Worker.runReplayHistory(
      { workflowsPath: defaultWorkflowsPath(), dataConverter: await createDataConverter(h.config) },
      await handle.fetchHistory(),
      handle.workflowId,
    );
  });

  it('orders created by an attempt that failed count as created when the retried page sends them again', async () => {
    const existing = creations(h); // created by the previous job: this one finds them (updated)
    expect(existing).toBeGreaterThan(0);
    const { orders: expected, rejected } = classifyOrders(h.sage.data.orders(), h.sage.data.customers());
    // One POST per order sent (found or created), and one per refused address (the job's later
    // orders with it are only looked up): the first attempt writes every order but the last,
    // which Mailchimp answers 503 until that attempt has failed (nothing else in flight).
    // The second attempt sends the whole page again: the orders the first one created come back
    // "already exists" (updated), yet this job created them.
    const refusedCustomers = new Set(
      h.sage.data
        .orders()
        .filter((o) => rejected.has(String(o.OrderNumber).trim()))
        .map((o) => String(o.CustomerNumber).trim()),
    );
    const posts = expected.size + refusedCustomers.size;
    h.mc.faults.set({ rules: [{ method: 'POST', path: `${STORE}/orders`, status: 503, skip: posts - 1 }] });
    const handle = await h.startJob({ full: true });
    try {
      await untilAttempt(handle, 'syncOrderPage', 2);
    } finally {
      h.mc.faults.clear();
    }
    const result = await handle.result();
    expect(orderCreations(h)).toEqual(createdOnce(expected.keys()));
    expect(result.counts.updated).toBe(existing);
    expect(result.counts.created).toBe(expected.size - existing);
    expect(result.status).toBe(result.counts.failed > 0 ? 'completed_with_failures' : 'completed');
    const trail = await readJobTrail(h.t.client, handle.workflowId);
    expect(trail.records.filter((r) => r.action === 'created')).toHaveLength(expected.size - existing);
  });

  it('a later incremental job clears an is_syncing a backfill left on', async () => {
    // As if a backfill's cleanup never got through (a key revoked for longer than it retried).
    const res = await fetch(`${h.mc.apiUrl}${STORE}`, {
      method: 'PATCH',
      headers: {
        authorization: `Basic ${Buffer.from(`any:${h.mc.apiKey}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ is_syncing: true }),
    });
    expect(res.status).toBe(200);
    const result = await h.runJob({});
    expect(result.status).not.toBe('failed');
    expect((await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`)).is_syncing).toBe(false);
  });
});

describe('job outcomes of customer jobs: statuses, exit codes, the UI views', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    // Mailchimp's default connection cap: the members of a page are written side by side.
    h = await startOrderHarness({ customers: 12, orders: 0, items: 1, encrypted: true });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('every member write answered 429: `sync --wait` says failed, why and exits 1; the UI lists it under Failures', async () => {
    h.mc.faults.set({
      rules: [{ method: 'PUT', path: new RegExp(`^/lists/${h.listId}/members/`), status: 429 }],
    });
    let run: { code: number; lines: string[] };
    try {
      run = await cli(h, syncCommand, 'customers', '--wait', '--json');
    } finally {
      h.mc.faults.clear();
    }
    expect(run.code).toBe(1);
    const out = JSON.parse(run.lines.at(-1)!) as Record<string, unknown> & { jobId: string };
    expect(out.jobId).toMatch(JOB_ID);
    expect(out).toMatchObject({
      status: 'failed',
      errorType: 'SyncRecordsFailed',
      created: 0,
      updated: 0,
      unchanged: 0,
    });
    expect(out.failed).toBeGreaterThan(0);
    expect(out.failed).toBe((out.read as number) - (out.skipped as number));
    expect(out.error).toMatch(/^every write failed: \d+ record\(s\) failed.*transient errors \(429/);
    expect(out.hint).toContain(`ml-connector audit ${out.jobId}`);
    // The documented saved view of failed jobs (docs/outcomes.md) lists it.
    await untilListed(
      h,
      `ExecutionStatus = "Failed" AND WorkflowType IN ("customerSync", "orderSync") AND SageCompany = "${h.company}"`,
      out.jobId,
    );
  });

  it('a job with some records failed completes with failures, exits 3, and the saved view RecordsFailed > 0 finds it', async () => {
    // Mailchimp refuses one member for good; the others are written.
    const [email] = [...expectedMembers(h.sage.data.customers()).members.keys()];
    h.mc.faults.set({
      rules: [{ method: 'PUT', path: `/lists/${h.listId}/members/${subscriberHash(email!)}`, status: 400 }],
    });
    let run: { code: number; lines: string[] };
    try {
      run = await cli(h, syncCommand, 'customers', '--wait', '--json');
    } finally {
      h.mc.faults.clear();
    }
    const out = JSON.parse(run.lines.at(-1)!) as SyncCounts & { jobId: string; status: string };
    expect(out.failed).toBeGreaterThan(0);
    expect(out.created + out.updated).toBeGreaterThan(0);
    expect(out.status).toBe('completed_with_failures');
    expect(run.code).toBe(3);
    await untilListed(h, `RecordsFailed > 0 AND SageCompany = "${h.company}"`, out.jobId);
    const memo = (await h.t.client.workflow.getHandle(out.jobId).describe()).memo as unknown as JobMemo;
    expect(memo).toMatchObject({ trigger: 'manual', company: h.company, status: 'completed_with_failures' });
    expect(memo.counts?.failed).toBe(out.failed);
  });

  it('a missing setting in an activity fails the job on its first attempt, naming the setting', async () => {
    const { SAGE300_USERNAME: _dropped, ...vars } = h.vars;
    void _dropped;
    const taskQueue = `${h.t.taskQueue}-no-user`;
    const config = testConfig(vars);
    const worker = await createTestWorker(
      h.t,
      createActivities({
        config,
        logger: memoryLogger('warn').logger,
        version: 'test',
        temporalClient: h.t.client,
      }),
      { taskQueue, dataConverter: await createDataConverter(h.config) },
    );
    const handle = await worker.runUntil(async () => {
      const started = await h.t.client.workflow.start(customerSync, {
        taskQueue,
        workflowId: jobId('customers', h.company, new Date(), 'manual'),
        args: [{ stream: 'customers', company: h.company, trigger: 'manual' }],
        workflowExecutionTimeout: '2m',
      });
      await started.result().catch(() => undefined);
      return started;
    });
    const outcome = await followJob(handle, 'customers');
    expect(outcome.status).toBe('failed');
    expect(outcome.errorType).toBe('ConfigError');
    expect(outcome.error).toContain('SAGE300_USERNAME');
    const events = (await handle.fetchHistory()).events ?? [];
    const typeOf = new Map(
      events.map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes?.activityType?.name]),
    );
    const attempts = events.flatMap((e) => {
      const started = e.activityTaskStartedEventAttributes;
      return started ? [[typeOf.get(String(started.scheduledEventId)), started.attempt]] : [];
    });
    // The refused step was tried once, and failed the job; every other step was tried once too.
    const refused = events.find((e) => e.activityTaskFailedEventAttributes);
    const refusedType = typeOf.get(String(refused?.activityTaskFailedEventAttributes?.scheduledEventId));
    expect(attempts).toContainEqual([refusedType, 1]);
    expect(attempts.filter(([, attempt]) => attempt !== 1)).toEqual([]);
  });
});

describe('activity clients', () => {
  it('a client whose creation failed is not cached: the next attempt builds it again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clients-'));
    const caFile = join(dir, 'ca.pem');
    const config = testConfig({
      SAGE300_BASE_URL: 'https://sage.example/Sage300WebApi/v1.0/-/',
      SAGE300_COMPANY: 'SAMINC',
      SAGE300_USERNAME: 'WEBAPI',
      SAGE300_CA_FILE: caFile,
    });
    const clients = lazyClients(config, memoryLogger('warn').logger);
    await expect(clients.sage300()).rejects.toThrow(/ca\.pem/); // not mounted yet
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');
    await expect(clients.sage300()).resolves.toBeDefined();
    clients.close();
  });
});
