import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.js';
import { classifyOrders } from '../sync-orders/expected.js';
import { expectBackfilledExactlyOnce } from '../sync-orders/assertions.js';
import { startOrderHarness, storedCount, type OrderHarness } from '../sync-orders/harness.js';
import { memoryLogger } from '../helpers/logger.js';
import { waitFor } from '../helpers/wait.js';

// The workflow code of the 0.1.0 release, bundled from its commit by
// scripts/bundle-release-workflows.mjs: a job started by an 0.1.0 worker must finish on today's.
const V010_BUNDLE = join(process.cwd(), 'test', 'fixtures', 'releases', 'v0.1.0', 'workflow-bundle.js');

describe('upgrade from 0.1.0 with a backfill in flight', () => {
  let h: OrderHarness;
  beforeAll(async () => {
    h = await startOrderHarness({
      customers: 30,
      orders: 120,
      items: 8,
      sagePageSize: 10,
      mailchimpLatencyMs: 30,
      vars: { SYNC_ORDER_CHUNK_SIZE: '20', MAILCHIMP_MAX_CONNECTIONS: '4' },
    });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('a job started on the 0.1.0 workflow code finishes on the current worker, every order once', async () => {
    const classified = classifyOrders(h.sage.data.orders(), h.sage.data.customers());
    const { logger } = memoryLogger('warn');
    const old = await Worker.create({
      connection: h.t.nativeConnection,
      namespace: 'default',
      taskQueue: h.t.taskQueue,
      workflowBundle: { codePath: V010_BUNDLE },
      activities: createActivities({
        config: h.config,
        logger,
        version: '0.1.0',
        temporalClient: h.t.client,
      }),
      shutdownGraceTime: '1s',
    });
    const oldRunning = old.run();

    const handle = await h.startJob({ full: true });
    await waitFor(() => storedCount(h) >= 25, 90_000, 'the first orders on the 0.1.0 worker');
    // The operator's upgrade: stop the old worker (its running chunk is cancelled and retried from
    // its last heartbeat), start the new one on the same task queue; it replays the history so far.
    old.shutdown();
    await oldRunning;
    const atUpgrade = storedCount(h);
    expect(atUpgrade).toBeLessThan(classified.orders.size);

    await h.startWorker();
    const result = await handle.result();
    await expectBackfilledExactlyOnce(h, result, classified);
    // The history holds work done by both codes: the old worker's chunks and the new one's.
    const history = await handle.fetchHistory();
    const completedChunks = (history.events ?? []).filter((e) => e.activityTaskCompletedEventAttributes);
    expect(completedChunks.length).toBeGreaterThan(2);
  }, 180_000);
});
