import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { activityInfo } from '@temporalio/activity';
import { createActivities } from '../../src/activities/index.js';
import type { SyncPageInput } from '../../src/workflows/sync-job.js';
import { planCustomer, type CustomerStep } from '../../src/domain/customers/plan.js';
import { mappingSettings } from '../../src/domain/customers/settings.js';
import type { CustomerFields } from '../../src/domain/customers/mapping.js';
import { readJobTrail } from '../../src/starter/audit.js';
import { createTestWorker } from '../helpers/temporal.js';
import { memoryLogger } from '../helpers/logger.js';
import { stopAfterHeartbeat } from '../helpers/older-attempt.js';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers } from './members.js';

jest.setTimeout(120_000);

describe('a customer page resumes from a checkpoint written by 0.1.0', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startHarness({ customers: 30, sagePageSize: 100 });
  });
  afterAll(async () => h?.stop());

  it('members the old attempt wrote or recorded failed are not sent again, and are counted from its checkpoint', async () => {
    const rows = h.sage.data.customers() as unknown as CustomerFields[];
    const expected = expectedMembers(h.sage.data.customers());
    const ctx = { settings: mappingSettings(h.config), duplicateOf: Object.fromEntries(expected.duplicates) };
    const accepted = new Set([...expected.members.values()].map((m) => m.key));
    const toWrite = rows
      .map((r) => planCustomer(r, ctx))
      .filter((s): s is CustomerStep & { action: 'write' } => s.action === 'write' && accepted.has(s.key));
    expect(toWrite.length).toBeGreaterThan(10);
    const written = toWrite.slice(0, 5);
    const failed = toWrite[5]!;
    // Heartbeat details exactly as 0.1.0's syncCustomerPage sent them (its PageCheckpoint).
    const checkpoint010 = {
      written: written.map((w) => [w.key, 'created', w.fp]),
      failed: [
        { key: failed.key, email: 'x***@y***.com', reason: 'Invalid Resource: refused before', status: 400 },
      ],
    };

    const { logger } = memoryLogger('warn');
    const activities = createActivities({
      config: h.config,
      logger,
      version: 'test',
      temporalClient: h.t.client,
    });
    const worker = await createTestWorker(h.t, {
      ...activities,
      async syncCustomerPage(input: SyncPageInput) {
        if (activityInfo().attempt === 1 && input.cursor === undefined)
          return stopAfterHeartbeat(h.t.client, checkpoint010);
        return activities.syncCustomerPage(input);
      },
    });
    const running = worker.run();
    const jobId = `customers-${h.company}-20261127T140000Z-manual`;
    try {
      const result = await h.runJob({ full: true }, jobId);
      expect(result.status).toBe('completed_with_failures');
      expect(result.counts.failed).toBe(expected.rejected.size + 1);
      expect(result.counts.created + result.counts.updated).toBe(expected.members.size - 1);
    } finally {
      worker.shutdown();
      await running;
    }
    const sent = new Set((await readMembers(h)).map((m) => String(m.merge_fields.SAGECUST)));
    for (const w of [...written, failed]) expect(sent.has(w.key)).toBe(false);
    expect(sent.size).toBe(expected.members.size - written.length - 1);

    const trail = await readJobTrail(h.t.client, jobId);
    const action = new Map(trail.records.map((r) => [r.key, r]));
    for (const w of written) expect(action.get(w.key)?.action).toBe('created');
    expect(action.get(failed.key)).toMatchObject({
      action: 'failed',
      reason: 'Invalid Resource: refused before',
      status: 400,
    });
  });
});
