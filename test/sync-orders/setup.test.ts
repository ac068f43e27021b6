import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startOrderHarness, STORE_ID, type OrderHarness } from './harness.js';
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

  it('is_syncing is cleared even when the call that set it fails after Mailchimp applied it', async () => {
    // The store exists (previous test). Mailchimp applies the is_syncing PATCH but answers 400: the
    // activity that set it fails for good. The workflow already holds the plan, so it clears it.
    h.mc.faults.set({
      rules: [
        { method: 'PATCH', path: `/ecommerce/stores/${STORE_ID}`, status: 400, afterApply: true, times: 1 },
      ],
    });
    try {
      const handle = await h.startJob({ full: true });
      await expect(handle.result()).rejects.toThrow();
      const store = await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`);
      expect(store.is_syncing).toBe(false);
      const types = (await scheduledActivities(handle)).map((a) => a.type);
      // The job claims its stream first and releases it only after is_syncing is cleared.
      expect(types).toEqual([
        'claimStream',
        'prepareOrderJob',
        'startOrderBackfill',
        'finishOrderBackfill',
        'releaseStream',
      ]);
    } finally {
      h.mc.faults.clear();
    }
  });

  it('clearing is_syncing is retried without an attempt cap, for up to a day', async () => {
    const handle = await h.startJob({ full: true });
    expect((await handle.result()).status).toBe('completed');
    const finish = (await scheduledActivities(handle)).find((a) => a.type === 'finishOrderBackfill');
    // 0 = unlimited attempts; the day is capped by the server at the test job's 5-minute timeout.
    expect(finish?.maximumAttempts).toBe(0);
    expect(finish?.scheduleToCloseTimeoutSeconds).toBeGreaterThanOrEqual(300);
    const store = await h.api<{ is_syncing: boolean }>(`ecommerce/stores/${STORE_ID}`);
    expect(store.is_syncing).toBe(false);
  });
});
