import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createActivities } from '../../src/activities/index.js';
import { healthCheck } from '../../src/workflows/index.js';
import { connectTestTemporal, createTestWorker, type TemporalTestContext } from '../helpers/temporal.js';
import { testConfig } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';
import { maybeRecordHistory } from '../helpers/histories.js';

describe('a workflow and an activity through a real worker and a real Temporal server', () => {
  let t: TemporalTestContext;
  beforeAll(async () => {
    t = await connectTestTemporal();
  });
  afterAll(async () => t?.close());

  it('runs healthCheck end to end on the task queue', async () => {
    const { logger } = memoryLogger();
    const worker = await createTestWorker(
      t,
      createActivities({ config: testConfig(), logger, version: '9.9.9' }),
    );
    const result = await worker.runUntil(
      t.client.workflow.execute(healthCheck, {
        taskQueue: t.taskQueue,
        workflowId: `health-${t.taskQueue}`,
        args: ['ping'],
      }),
    );
    expect(result).toMatchObject({ echo: 'ping', version: '9.9.9', taskQueue: t.taskQueue });
    const handle = t.client.workflow.getHandle(`health-${t.taskQueue}`);
    await maybeRecordHistory(handle, 'healthCheck');
    const history = await handle.fetchHistory();
    const types = history.events?.map((e) => e.eventType) ?? [];
    expect(types.length).toBeGreaterThan(5);
  });
});
