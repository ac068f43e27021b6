import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOrderHarness, type OrderHarness } from './harness.js';
import { scheduledActivities } from './history.js';

describe('orderSync setup activities', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    h = await startOrderHarness({ customers: 8, orders: 10, items: 3 });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('prepareOrderJob runs without a heartbeat timeout (it never heartbeats; a slow Sage or Mailchimp may take a minute)', async () => {
    const handle = await h.startJob({ full: true });
    expect((await handle.result()).status).toBe('completed');
    const activities = await scheduledActivities(handle);
    const prepare = activities.find((a) => a.type === 'prepareOrderJob');
    expect(prepare?.heartbeatTimeoutSeconds).toBe(0);
    // 10 minutes, capped by the server at the test job's 5-minute execution timeout.
    expect(prepare?.startToCloseTimeoutSeconds).toBeGreaterThanOrEqual(300);
    // Page activities still heartbeat: a dead worker is noticed within 30 s.
    expect(activities.find((a) => a.type === 'syncOrderPage')).toMatchObject({ heartbeatTimeoutSeconds: 30 });
  });
});
