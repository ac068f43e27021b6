import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WorkflowFailedError } from '@temporalio/client';
import { classifyOrders } from './expected.js';
import { expectBackfilledExactlyOnce } from './assertions.js';
import { startOrderHarness, STORE_ID, type OrderHarness } from './harness.js';
import { StreamBusyError, findRunningJob, startSyncJob } from '../../src/starter/start-job.js';
import type { SyncJobResult } from '../../src/workflows/types.js';
import { SA } from '../../src/temporal/search-attributes.js';

/** Every job of the company, closed or running, oldest first (visibility). */
async function jobsOf(h: OrderHarness): Promise<Array<{ workflowId: string; status: string }>> {
  const found: Array<{ workflowId: string; status: string }> = [];
  for await (const wf of h.t.client.workflow.list({
    query: `WorkflowType = 'orderSync' AND SageCompany = '${h.company}'`,
  }))
    found.push({ workflowId: wf.workflowId, status: wf.status.name });
  return found.reverse();
}

/** The company's running order job as visibility shows it, once `wanted` holds (visibility lags). */
async function untilRunningJob(h: OrderHarness, wanted: (id: string | undefined) => boolean): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!wanted(await findRunningJob(h.t.client, 'orders', h.company))) {
    if (Date.now() > deadline) throw new Error('timed out waiting for visibility');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function failureOf(h: OrderHarness, workflowId: string): Promise<string> {
  try {
    await h.t.client.workflow.getHandle(workflowId).result();
    return 'completed';
  } catch (err) {
    const cause = err instanceof WorkflowFailedError ? err.cause : err;
    return `${(cause as Error).message} ${((cause as Error).cause as Error | undefined)?.message ?? ''}`;
  }
}

describe('one order job at a time per company, whatever started it', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    h = await startOrderHarness({
      customers: 30,
      orders: 100,
      sagePageSize: 10,
      mailchimpLatencyMs: 20,
      vars: { SYNC_ORDER_CHUNK_SIZE: '20', MAILCHIMP_MAX_CONNECTIONS: '4' },
    });
    await h.startWorker();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a scheduled and a manual backfill started together: one runs, the other is refused naming it', async () => {
    const classified = classifyOrders(h.sage.data.orders(), h.sage.data.customers());
    const schedule = await h.t.client.schedule.create({
      scheduleId: `orders-${h.company}-single-flight`,
      spec: { cronExpressions: ['0 0 1 1 *'] },
      action: {
        type: 'startWorkflow',
        workflowType: 'orderSync',
        taskQueue: h.t.taskQueue,
        workflowId: `orders-${h.company}-scheduled`,
        args: [{ stream: 'orders', company: h.company, trigger: 'schedule' }],
        typedSearchAttributes: [{ key: SA.company, value: h.company }],
      },
    });
    try {
      const [, manual] = await Promise.allSettled([
        schedule.trigger(),
        startSyncJob(
          h.t.client,
          { stream: 'orders', company: h.company, trigger: 'manual' },
          { taskQueue: h.t.taskQueue },
        ),
      ]);
      // Wait for every job of the company to close.
      for (;;) {
        const jobs = await jobsOf(h);
        if (jobs.length > 0 && jobs.every((j) => j.status !== 'RUNNING')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const jobs = await jobsOf(h);
      const outcomes = await Promise.all(
        jobs.map(async (j) => ({ ...j, said: await failureOf(h, j.workflowId) })),
      );
      const completed = outcomes.filter((o) => o.status === 'COMPLETED');
      expect(completed).toHaveLength(1);
      const winner = completed[0]!.workflowId;
      // The loser was refused before it did anything: by the CLI's check, or by the job's own claim.
      const refusedJobs = outcomes.filter((o) => o.status !== 'COMPLETED');
      if (manual.status === 'rejected') {
        expect(manual.reason).toBeInstanceOf(StreamBusyError);
        expect((manual.reason as StreamBusyError).runningJobId).toBe(winner);
        expect(refusedJobs).toHaveLength(0);
      } else {
        expect(refusedJobs).toHaveLength(1);
        expect(refusedJobs[0]!.said).toContain(`already being synced by job ${winner}`);
      }
      const result = (await h.t.client.workflow.getHandle(winner).result()) as SyncJobResult;
      await expectBackfilledExactlyOnce(h, result, classified);
    } finally {
      await schedule.delete();
    }
  }, 120_000);

  it('two jobs started past the CLI check (straight through the client): the job itself refuses the second', async () => {
    const [a, b] = await Promise.all([h.startJob(), h.startJob()]);
    const said = await Promise.all([failureOf(h, a.workflowId), failureOf(h, b.workflowId)]);
    expect(said.filter((s) => s === 'completed')).toHaveLength(1);
    const loser = said.find((s) => s !== 'completed')!;
    expect(loser).toMatch(/already being synced by job orders-/);
    const store = await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`);
    expect(store.is_syncing).toBe(false);
  }, 120_000);

  it('with ifBusy=wait the second job starts when the first has ended', async () => {
    // Slow enough to be seen running: a second start that missed it would take the same job ID.
    h.mc.faults.set({ latencyMs: 100 });
    const first = await startSyncJob(
      h.t.client,
      { stream: 'orders', company: h.company, trigger: 'manual', full: true },
      { taskQueue: h.t.taskQueue },
    );
    await untilRunningJob(h, (id) => id === first.workflowId);
    h.mc.faults.clear();
    let waitedFor: string | undefined;
    const second = await startSyncJob(
      h.t.client,
      { stream: 'orders', company: h.company, trigger: 'manual' },
      { taskQueue: h.t.taskQueue, ifBusy: 'wait', onWait: (id) => (waitedFor = id) },
    );
    expect(waitedFor).toBe(first.workflowId);
    expect((await first.describe()).status.name).toBe('COMPLETED');
    expect((await second.result()).status).toMatch(/^completed/);
    const store = await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`);
    expect(store.is_syncing).toBe(false);
  }, 120_000);

  it('a job that was terminated without releasing the stream does not block the next one', async () => {
    const stuck = await startSyncJob(
      h.t.client,
      { stream: 'orders', company: h.company, trigger: 'manual', full: true },
      { taskQueue: h.t.taskQueue },
    );
    // Terminated once it holds the stream and writes (terminate runs no workflow code: no release).
    const before = h.mc.stats.requests;
    while (h.mc.stats.requests <= before + 5) await new Promise((r) => setTimeout(r, 20));
    // The stream lock is what is tested here, not the start's visibility check, which lags: seen
    // running first, so "no running job" below is its end, not visibility not having caught up yet.
    await untilRunningJob(h, (id) => id === stuck.workflowId);
    await stuck.terminate('operator');
    await untilRunningJob(h, (id) => id === undefined);
    const next = await startSyncJob(
      h.t.client,
      { stream: 'orders', company: h.company, trigger: 'manual' },
      { taskQueue: h.t.taskQueue },
    );
    expect((await next.result()).status).toMatch(/^completed/);
  }, 120_000);
});
