import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import proto from '@temporalio/proto';
import { startHarness, type SyncHarness } from './harness.js';
import { eventually } from './members.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

const EventType = proto.temporal.api.enums.v1.EventType;
const seconds = (d: { seconds?: unknown } | null | undefined) => Number(d?.seconds ?? 0);

describe('job setup activities', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startHarness({ customers: 10 });
    // Mailchimp's first answer takes 35 s: the client must wait for it.
    await h.startWorker({ MAILCHIMP_TIMEOUT_MS: '60000' });
  });
  afterAll(async () => h?.stop());

  it('a slow Mailchimp during merge-field setup does not time the setup out; the duplicate scan has hours', async () => {
    h.mc.faults.set({ latencyMs: 35_000 });
    const jobId = `customers-${h.company}-20261127T110000Z-manual`;
    const handle = await h.t.client.workflow.start('customerSync', {
      taskQueue: h.t.taskQueue,
      workflowId: jobId,
      args: [{ stream: 'customers', company: h.company, trigger: 'manual', full: true }],
    });
    // Only the first request (the merge-field setup) is slow; later ones answer at once.
    await eventually(async () => (h.mc.stats.requests >= 1 ? true : undefined));
    h.mc.faults.clear();
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed' });

    const history = await handle.fetchHistory();
    const typeOf = new Map<string, string>();
    const scheduled = new Map<string, proto.temporal.api.history.v1.IActivityTaskScheduledEventAttributes>();
    const attempts = new Map<string, number>();
    let timeouts = 0;
    for (const e of history.events ?? []) {
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        const a = e.activityTaskScheduledEventAttributes!;
        typeOf.set(String(e.eventId), a.activityType!.name!);
        scheduled.set(a.activityType!.name!, a);
      }
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        const a = e.activityTaskStartedEventAttributes!;
        attempts.set(typeOf.get(String(a.scheduledEventId))!, a.attempt ?? 0);
      }
      if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) timeouts++;
    }
    // One attempt: the 35 s call was not cut off by a 30 s heartbeat timeout.
    expect(attempts.get('prepareCustomerAudience')).toBe(1);
    expect(timeouts).toBe(0);
    expect(seconds(scheduled.get('prepareCustomerAudience')?.heartbeatTimeout)).toBe(0);
    expect(seconds(scheduled.get('findDuplicateEmails')?.startToCloseTimeout)).toBe(2 * 3600);
    // It heartbeats, so a dead worker is still noticed quickly.
    expect(seconds(scheduled.get('findDuplicateEmails')?.heartbeatTimeout)).toBe(30);
  });
});
