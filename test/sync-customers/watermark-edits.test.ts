import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers } from './members.js';
import { loadWatermark } from '../../src/activities/sync-state.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(180_000);

describe('incremental runs see every edit on the boundary day', () => {
  let h: SyncHarness;
  let keys: string[];
  beforeAll(async () => {
    h = await startHarness({ customers: 30 });
    await h.startWorker();
    keys = [...expectedMembers(h.sage.data.customers()).members.values()].map((m) => m.key);
    expect((await h.runJob({ full: true })).status).toMatch(/^completed/);
  });
  afterAll(async () => h?.stop());

  const memberOf = async (key: string) =>
    (await readMembers(h)).find((m) => m.merge_fields.SAGECUST === key)?.merge_fields;

  it('a record edited A -> B -> A on one day is written each time (one fingerprint per key)', async () => {
    const key = keys[3]!;
    h.sage.data.editCustomer(key, { ContactName: 'Ada Lovelace' });
    const a = await h.runJob({});
    expect(a.counts.created + a.counts.updated).toBe(1);
    expect(await memberOf(key)).toMatchObject({ FNAME: 'Ada', LNAME: 'Lovelace' });

    h.sage.data.editCustomer(key, { ContactName: 'Grace Hopper' });
    const b = await h.runJob({});
    expect(b.counts.created + b.counts.updated).toBe(1);
    expect(await memberOf(key)).toMatchObject({ FNAME: 'Grace', LNAME: 'Hopper' });

    h.sage.data.editCustomer(key, { ContactName: 'Ada Lovelace' });
    const back = await h.runJob({});
    expect(back.counts.created + back.counts.updated).toBe(1);
    expect(await memberOf(key)).toMatchObject({ FNAME: 'Ada', LNAME: 'Lovelace' });
    const wm = await loadWatermark(h.t.client, 'customers', h.company);
    expect(wm?.fingerprints.filter((f) => f.startsWith(`${key}:`))).toHaveLength(1);

    // Nothing edited since: the boundary day's records are all known and nothing is written.
    const again = await h.runJob({});
    expect(again.counts.created + again.counts.updated).toBe(0);
    expect(again.counts.unchanged).toBeGreaterThan(0);
  });

  it('a future-dated record does not move the watermark past the job start day', async () => {
    const future = keys[5]!;
    const later = keys[7]!;
    // Sage stamps the user's session date: here a year far ahead.
    h.sage.data.editCustomer(
      future,
      { ContactName: 'Future Person', DateLastMaintained: '2099-01-01T00:00:00Z' },
      { touch: false },
    );
    const first = await h.runJob({});
    expect(first.status).toMatch(/^completed/);
    expect(await memberOf(future)).toMatchObject({ FNAME: 'Future', LNAME: 'Person' });
    const today = new Date().toISOString().slice(0, 10);
    const wm = await loadWatermark(h.t.client, 'customers', h.company);
    expect(wm?.day).toBeDefined();
    expect(wm!.day <= today).toBe(true);
    expect(wm!.fingerprints.some((f) => f.startsWith(`${future}:`))).toBe(false);

    // A real edit made afterwards (stamped with Sage's today) is still picked up.
    h.sage.data.editCustomer(later, { ContactName: 'Later Edit' });
    const next = await h.runJob({});
    expect(await memberOf(later)).toMatchObject({ FNAME: 'Later', LNAME: 'Edit' });
    // The future-dated record is read (and harmlessly written) again until its day comes.
    expect(next.counts.created + next.counts.updated).toBe(2);
  });
});
