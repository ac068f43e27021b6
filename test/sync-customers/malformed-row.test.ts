import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers } from './members.js';
import { readJobTrail } from '../../src/starter/audit.js';
import { replayJob } from '../../src/starter/replay.js';
import { loadWatermark } from '../../src/activities/sync-state.js';
import type { SyncJobResult } from '../../src/workflows/types.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

describe('customers: a row that fails the schema', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startHarness({ customers: 24, sagePageSize: 10 });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('fails alone with its field; the rest of its page is synced, the watermark moves, replay sends it once fixed', async () => {
    const rows = h.sage.data.customers();
    // One in the middle of the first page, and the page's last row (the cursor must move past it).
    const [middle, last] = [String(rows[4]!.CustomerNumber), String(rows[9]!.CustomerNumber)];
    const good = rows.filter((r) => r.CustomerNumber !== middle && r.CustomerNumber !== last);
    h.sage.data.patch('ARCustomers', middle, { DateLastMaintained: '31/12/2025' });
    h.sage.data.patch('ARCustomers', last, { StartDate: '2026-02-31T00:00:00Z' });
    const expected = expectedMembers(good);

    const jobId = `customers-${h.company}-20261127T140000Z-manual`;
    const result = await h.runJob({ full: true }, jobId);
    expect(result.status).toMatch(/^completed/);
    expect(result.counts.read).toBe(rows.length);
    expect(result.counts.failed).toBe(expected.rejected.size + 2);
    const members = await readMembers(h);
    expect(members).toHaveLength(expected.members.size);
    expect(members.map((m) => m.merge_fields.SAGECUST)).not.toContain(middle);

    const trail = await readJobTrail(h.t.client, jobId);
    expect(trail.records.find((r) => r.key === middle)).toMatchObject({
      action: 'failed',
      field: 'DateLastMaintained',
      reason: 'malformed in Sage: DateLastMaintained: not a real date',
    });
    expect(trail.records.find((r) => r.key === last)).toMatchObject({ action: 'failed', field: 'StartDate' });
    expect(trail.records.find((r) => r.key === middle)).not.toHaveProperty('retryable');
    // A data problem, not an outage: it does not hold the watermark.
    expect(result.watermarkHeld).toBeUndefined();
    expect((await loadWatermark(h.t.client, 'customers', h.company))?.day).toBeDefined();

    h.sage.data.patch('ARCustomers', middle, { DateLastMaintained: '2026-11-20T00:00:00Z' });
    h.sage.data.patch('ARCustomers', last, { StartDate: '2020-02-29T00:00:00Z' });
    const replay = (await replayJob(h.t.client, jobId, { taskQueue: h.t.taskQueue }))!;
    expect(replay.keys).toEqual(expect.arrayContaining([middle, last]));
    const r = (await replay.handle.result()) as SyncJobResult;
    expect(r.status).toMatch(/^completed/);
    expect(await readMembers(h)).toHaveLength(expectedMembers(h.sage.data.customers()).members.size);
  });
});
