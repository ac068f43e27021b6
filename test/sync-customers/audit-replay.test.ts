import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from './harness.js';
import { eventually, readMembers } from './members.js';
import { failedKeys, readJobTrail } from '../../src/starter/audit.js';
import { replayJob } from '../../src/starter/replay.js';
import type { SyncJobResult } from '../../src/workflows/types.js';
import { SA } from '../../src/temporal/search-attributes.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(180_000);

describe('audit trail and replay of failed records', () => {
  let h: SyncHarness;
  let jobId: string;
  beforeAll(async () => {
    h = await startHarness({ customers: 40, sagePageSize: 15 });
    await h.startWorker();
    jobId = `customers-${h.company}-20261127T090000Z-manual`;
    await h.runJob({ full: true }, jobId);
  });
  afterAll(async () => h?.stop());

  it('reads back every record outcome, with masked emails for failures and skips', async () => {
    const trail = await readJobTrail(h.t.client, jobId);
    expect(trail.input).toMatchObject({ stream: 'customers', company: h.company, full: true });
    expect(trail.records).toHaveLength(trail.counts.read);
    expect(new Set(trail.records.map((r) => r.key)).size).toBe(40);
    const hold = trail.records.find((r) => r.key === 'HOLD01')!;
    // buchhaltung@slowpayer.example: a reserved domain, refused by Mailchimp.
    expect(hold).toMatchObject({ action: 'failed', status: 400, email: 'b***@s***.example' });
    expect(hold.reason).toContain('Invalid Resource');
    expect(JSON.stringify(trail.records)).not.toMatch(/buchhaltung|slowpayer\.example/);
    expect(trail.records.find((r) => r.key === 'DUPE02')).toMatchObject({
      action: 'skipped',
      reason: 'duplicate of DUPE01',
    });
    expect(trail.records.find((r) => r.key === 'NOMAIL01')).toMatchObject({
      action: 'skipped',
      reason: 'no email',
    });
  });

  it('is findable by its search attributes (counts, never emails)', async () => {
    const query = `SyncStream = "customers" AND SageCompany = "${h.company}" AND SyncTrigger = "manual" AND RecordsFailed > 0`;
    const found = await eventually(async () => {
      for await (const w of h.t.client.workflow.list({ query })) {
        if (w.workflowId === jobId) return w;
      }
      return undefined;
    });
    const attrs = found.typedSearchAttributes;
    const trail = await readJobTrail(h.t.client, jobId);
    expect(attrs.get(SA.recordsRead)).toBe(trail.counts.read);
    expect(attrs.get(SA.recordsWritten)).toBe(trail.counts.created + trail.counts.updated);
    expect(attrs.get(SA.recordsFailed)).toBe(trail.counts.failed);
  });

  it('replay re-sends exactly the failed records; once fixed they arrive; twice is harmless', async () => {
    const failed = failedKeys(await readJobTrail(h.t.client, jobId));
    expect(failed).toContain('HOLD01');
    h.sage.data.editCustomer('HOLD01', { Email: 'buchhaltung@slowpayer.de' });
    const first = (await replayJob(h.t.client, jobId, { taskQueue: h.t.taskQueue }))!;
    expect(first.keys.sort()).toEqual([...failed].sort());
    const r1 = (await first.handle.result()) as SyncJobResult;
    expect(r1).toMatchObject({ status: 'completed', trigger: 'replay', replayOf: jobId });
    expect(r1.counts.read).toBe(failed.length);
    expect(r1.counts.created).toBe(1);
    const member = (await readMembers(h)).find((m) => m.email_address === 'buchhaltung@slowpayer.de');
    expect(member?.merge_fields.SAGECUST).toBe('HOLD01');
    expect(member?.tags.map((t) => t.name)).toContain('on-hold');

    const before = (await readMembers(h)).length;
    const second = (await replayJob(h.t.client, jobId, {
      taskQueue: h.t.taskQueue,
      at: new Date(Date.now() + 1000),
    }))!;
    const r2 = (await second.handle.result()) as SyncJobResult;
    expect(r2.status).toBe('completed');
    // The fixed record is written again (an idempotent upsert), the rest fail again as before.
    expect(r2.counts.created + r2.counts.updated).toBe(1);
    expect(r2.counts.failed).toBe(r1.counts.failed);
    expect((await readMembers(h)).length).toBe(before);

    // The replay is findable by the job it replays.
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const w of h.t.client.workflow.list({ query: `ReplayOfJobId = "${jobId}"` }))
        ids.push(w.workflowId);
      return ids.length === 2 ? ids : undefined;
    });
    expect(found.sort()).toEqual([first.handle.workflowId, second.handle.workflowId].sort());
    const desc = await first.handle.describe();
    expect(await desc.memo).toMatchObject({ replayOf: jobId });
  });
});
