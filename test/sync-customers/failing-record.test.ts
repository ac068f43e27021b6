import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers } from './members.js';
import { subscriberHash } from '../../src/mailchimp/hash.js';
import { readJobTrail } from '../../src/starter/audit.js';
import { replayJob } from '../../src/starter/replay.js';
import { loadWatermark } from '../../src/activities/sync-state.js';
import type { SyncJobResult } from '../../src/workflows/types.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

describe('one record Mailchimp keeps answering 500 for', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startHarness({ customers: 24, sagePageSize: 10 });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('does not block the run: recorded failed (retryable), the rest written, replay sends it once fixed', async () => {
    const expected = expectedMembers(h.sage.data.customers());
    const [badEmail, { key: badKey }] = [...expected.members][2]!;
    h.mc.faults.set({
      rules: [{ method: 'PUT', path: `/lists/${h.listId}/members/${subscriberHash(badEmail)}`, status: 500 }],
    });
    const jobId = `customers-${h.company}-20261127T130000Z-manual`;
    const result = await h.runJob({ full: true }, jobId);
    expect(result.status).toBe('completed_with_failures');
    expect(result.counts.failed).toBe(expected.rejected.size + 1);
    expect(result.counts.created + result.counts.updated).toBe(expected.members.size - 1);
    const members = await readMembers(h);
    expect(members).toHaveLength(expected.members.size - 1);
    expect(members.some((m) => m.merge_fields.SAGECUST === badKey)).toBe(false);

    const trail = await readJobTrail(h.t.client, jobId);
    const bad = trail.records.filter((r) => r.key === badKey);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ action: 'failed', status: 500 });
    expect(bad[0]!.reason).toMatch(/^retryable error, still failing on attempt \d+: Internal Server Error/);
    expect(JSON.stringify(trail.records)).not.toContain(badEmail);
    // A transient failure holds the watermark: nothing is committed, so the next run reads it again.
    expect(result.watermarkHeld).toBe(1);
    expect(await loadWatermark(h.t.client, 'customers', h.company)).toBeUndefined();

    h.mc.faults.clear();
    const replay = (await replayJob(h.t.client, jobId, { taskQueue: h.t.taskQueue }))!;
    expect(replay.keys).toContain(badKey);
    const r = (await replay.handle.result()) as SyncJobResult;
    expect(r.status).toMatch(/^completed/);
    expect(r.counts.created + r.counts.updated).toBe(1);
    const member = (await readMembers(h)).find((m) => m.merge_fields.SAGECUST === badKey);
    expect(member?.email_address.toLowerCase()).toBe(badEmail);

    // With nothing failing, the next incremental job advances the watermark.
    const next = await h.runJob({});
    expect(next.status).toMatch(/^completed/);
    expect(next.watermarkHeld).toBeUndefined();
    expect((await loadWatermark(h.t.client, 'customers', h.company))?.day).toBeDefined();
  });
});
