import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { startHarness, type SyncHarness } from './harness.js';
import { eventually } from './members.js';
import { testConfig } from '../helpers/config.js';
import {
  applySchedules,
  deleteSchedule,
  listSchedules,
  pauseSchedule,
  resumeSchedule,
  triggerSchedule,
} from '../../src/starter/schedules.js';
import { scheduleId } from '../../src/workflows/job-id.js';
import { reconcileScheduleId } from '../../src/workflows/reconcile-job.js';
import { loadWatermark } from '../../src/activities/sync-state.js';
import type { JobMemo, SyncJobResult } from '../../src/workflows/types.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(180_000);

describe('schedules from config', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startHarness({ customers: 30 });
    await h.startWorker();
  });
  afterAll(async () => {
    for (const id of [
      scheduleId('customers', h.company),
      scheduleId('orders', h.company),
      reconcileScheduleId(h.company),
    ]) {
      await deleteSchedule(h.t.client, id).catch(() => undefined);
    }
    await h?.stop();
  });

  it('apply creates both schedules, then updates them in place keeping their state', async () => {
    const created = await applySchedules(h.t.client, h.config, h.company);
    expect(created.map((a) => `${a.action} ${a.scheduleId}`)).toEqual([
      `created ml-connector-customers-${h.company}`,
      `created ml-connector-orders-${h.company}`,
      `created ml-connector-reconcile-orders-${h.company}`,
      `created ml-connector-reconcile-customers-${h.company}`,
    ]);
    const customers = h.t.client.schedule.getHandle(scheduleId('customers', h.company));
    let d = await customers.describe();
    expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(d.policies.catchupWindow).toBe(60 * 60 * 1000);
    expect(d.spec.timezone).toBe('UTC');
    expect(d.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'customerSync',
      taskQueue: h.t.taskQueue,
    });
    const orders = await h.t.client.schedule.getHandle(scheduleId('orders', h.company)).describe();
    expect(orders.action).toMatchObject({ workflowType: 'orderSync' });
    expect(orders.action.type === 'startWorkflow' && orders.action.args).toEqual([
      { stream: 'orders', company: h.company, trigger: 'schedule' },
    ]);

    await pauseSchedule(h.t.client, scheduleId('customers', h.company), 'maintenance');
    const changed = testConfig({
      SYNC_CUSTOMERS_CRON: '15 3 * * *',
      SYNC_TIMEZONE: 'America/Toronto',
      ML_CONNECTOR_TASK_QUEUE: h.t.taskQueue,
    });
    const updated = await applySchedules(h.t.client, changed, h.company);
    expect(updated.every((a) => a.action === 'updated')).toBe(true);
    d = await customers.describe();
    expect(d.spec.timezone).toBe('America/Toronto');
    expect(d.state.paused).toBe(true);
    expect(d.state.note).toBe('maintenance');
    const listed = await listSchedules(h.t.client, h.company);
    expect(listed.find((s) => s.scheduleId === scheduleId('customers', h.company))?.paused).toBe(true);
  });

  it('trigger runs the job now (overlap SKIP) and the run shares the watermark with manual runs', async () => {
    const id = scheduleId('customers', h.company);
    await resumeSchedule(h.t.client, id);
    await triggerSchedule(h.t.client, id);
    const workflowId = await eventually(async () => {
      const d = await h.t.client.schedule.getHandle(id).describe();
      return d.info.recentActions.at(-1)?.action.workflow.workflowId;
    });
    expect(workflowId).toMatch(
      new RegExp(`^customers-${h.company}-schedule-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`),
    );
    const result = (await h.t.client.workflow.getHandle(workflowId).result()) as SyncJobResult;
    expect(result).toMatchObject({
      status: expect.stringMatching(/^completed/),
      trigger: 'schedule',
      stream: 'customers',
    });
    expect((await loadWatermark(h.t.client, 'customers', h.company))?.jobId).toBe(workflowId);
    // The schedule starts its jobs with the memo a manual start gives; the job adds its outcome.
    const memo = (await h.t.client.workflow.getHandle(workflowId).describe()).memo as unknown as JobMemo;
    expect(memo).toMatchObject({ stream: 'customers', company: h.company, trigger: 'schedule' });
    expect(memo.counts).toEqual(result.counts);

    // A manual run right after reads only from the watermark the scheduled run committed.
    const manual = await h.runJob({});
    expect(manual.fromDay).toBe(result.watermarkDay);
    expect(manual.counts.read).toBeLessThan(30);
  });
});
