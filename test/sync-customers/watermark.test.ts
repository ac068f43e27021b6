import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers } from './members.js';
import { loadWatermark } from '../../src/activities/sync-state.js';
import { readJobTrail } from '../../src/starter/audit.js';
import { syncStateId } from '../../src/workflows/job-id.js';
import { customerSync } from '../../src/workflows/index.js';
import { maybeRecordHistory } from '../helpers/histories.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(180_000);

const day = (r: Record<string, unknown>) => String(r.DateLastMaintained).slice(0, 10);

describe('watermark, continue-as-new and incremental polling', () => {
  let h: SyncHarness;
  let good: Awaited<ReturnType<SyncHarness['startWorker']>>;
  beforeAll(async () => {
    h = await startHarness({ customers: 120 });
    good = await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('a long job continues as new, keeps its totals, and commits the max DateLastMaintained', async () => {
    const rows = h.sage.data.customers();
    const jobId = `customers-${h.company}-20261127T080000Z-manual`;
    // Two records per page: about 60 pages, past the test server's continue-as-new suggestion (400 events).
    const result = await h.runJob({ full: true, pageSize: 2 }, jobId);
    expect(result.runs).toBeGreaterThan(1);
    expect(result.pages).toBeGreaterThanOrEqual(60); // 60 full pages, maybe one empty page that ends the keyset
    expect(result.counts.read).toBe(rows.length);
    const expected = expectedMembers(rows);
    expect(result.counts.created + result.counts.updated).toBe(expected.members.size);
    expect((await readMembers(h)).length).toBe(expected.members.size);

    const maxDay = rows.map(day).sort().at(-1);
    const wm = await loadWatermark(h.t.client, 'customers', h.company);
    expect(wm?.day).toBe(maxDay);
    expect(wm?.jobId).toBe(jobId);
    expect(wm?.fingerprints.length).toBeGreaterThan(0);

    // The audit follows the whole chain.
    const trail = await readJobTrail(h.t.client, jobId);
    expect(trail.runIds.length).toBe(result.runs);
    expect(trail.records.length).toBe(rows.length);
    await maybeRecordHistory(h.t.client.workflow.getHandle(jobId), 'customerSync-continued');
  }, 120_000);

  it('a failed job never advances the watermark; the next good one does, from Sage data', async () => {
    const before = await loadWatermark(h.t.client, 'customers', h.company);
    const edited = [...expectedMembers(h.sage.data.customers()).members.values()][10]!.key;
    h.sage.data.editCustomer(edited, { ContactName: 'Ada Lovelace' });
    // A worker with a revoked Mailchimp key: the job fails (credentials are not retried).
    good.worker.shutdown();
    await good.running;
    const bad = await h.startWorker({ MAILCHIMP_API_KEY: '0123456789abcdef0123456789abcdef-us6' });
    await expect(h.runJob({})).rejects.toThrow();
    expect(await loadWatermark(h.t.client, 'customers', h.company)).toEqual(before);
    bad.worker.shutdown();
    await bad.running;
    good = await h.startWorker();

    const result = await h.runJob({});
    expect(result.status).toBe('completed');
    expect(result.counts.created + result.counts.updated).toBe(1);
    const after = await loadWatermark(h.t.client, 'customers', h.company);
    expect(after?.day).toBe('2026-11-27'); // the simulator's business date, not the wall clock
    expect(result.watermarkDay).toBe('2026-11-27');
    const member = (await readMembers(h)).find((m) => m.merge_fields.SAGECUST === edited);
    expect(member?.merge_fields).toMatchObject({ FNAME: 'Ada', LNAME: 'Lovelace' });
  }, 60_000);

  it('--since overrides the watermark and --full ignores it, without moving it back', async () => {
    const rows = h.sage.data.customers();
    const since = '2026-06-01';
    const r = await h.runJob({ since });
    expect(r.fromDay).toBe(since);
    expect(r.counts.read).toBe(rows.filter((x) => day(x) >= since).length);
    const full = await h.runJob({ full: true });
    expect(full.counts.read).toBe(rows.length);
    expect((await loadWatermark(h.t.client, 'customers', h.company))?.day).toBe('2026-11-27');
    await maybeRecordHistory(
      h.t.client.workflow.getHandle(syncStateId('customers', h.company)),
      'syncStateWorkflow',
    );
  }, 60_000);

  it('records a plain job history for the determinism check', async () => {
    const handle = await h.t.client.workflow.start(customerSync, {
      taskQueue: h.t.taskQueue,
      workflowId: `customers-${h.company}-20261127T120000Z-manual`,
      args: [{ stream: 'customers', company: h.company, trigger: 'manual' }],
    });
    await handle.result();
    await maybeRecordHistory(handle, 'customerSync');
  });
});
