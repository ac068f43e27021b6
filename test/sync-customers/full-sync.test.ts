import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers } from './members.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(180_000);

describe('customerSync: full then incremental runs against both simulators', () => {
  let h: SyncHarness;
  let unsubscribed = '';
  beforeAll(async () => {
    h = await startHarness({ customers: 60, sagePageSize: 25 });
    // A person who unsubscribed in Mailchimp before the first sync.
    const [email] = [...expectedMembers(h.sage.data.customers()).members.keys()];
    unsubscribed = email!;
    h.mc.state.seedMember(h.listId, { email: unsubscribed, status: 'unsubscribed' });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('a full sync gives exactly the expected members', async () => {
    const rows = h.sage.data.customers();
    const expected = expectedMembers(rows);
    const result = await h.runJob({ full: true });
    expect(result.status).toBe(expected.rejected.size > 0 ? 'completed_with_failures' : 'completed');
    expect(result.counts.read).toBe(rows.length);

    const members = await readMembers(h);
    const byEmail = new Map(members.map((m) => [m.email_address.toLowerCase(), m]));
    expect(new Set(byEmail.keys())).toEqual(new Set(expected.members.keys()));
    for (const [email, { key }] of expected.members) {
      const m = byEmail.get(email)!;
      expect(m.merge_fields.SAGECUST).toBe(key);
      const row = rows.find((r) => r.CustomerNumber === key)!;
      expect(m.tags.map((t) => t.name)).toEqual(expect.arrayContaining([`group:${String(row.GroupCode)}`]));
      expect(m.status).toBe(email === unsubscribed ? 'unsubscribed' : 'transactional');
    }
    // The unsubscribed person stays unsubscribed, and still gets the Sage data.
    expect(byEmail.get(unsubscribed)?.merge_fields.SAGECUST).toBe(expected.members.get(unsubscribed)!.key);

    expect(result.counts.skipped).toBe(expected.skipped.size + expected.duplicates.size);
    expect(result.counts.failed).toBe(expected.rejected.size);
    expect(result.counts.created + result.counts.updated).toBe(expected.members.size);
  });

  it('a second run with no Sage change writes nothing', async () => {
    const before = h.mc.stats.requests;
    const result = await h.runJob({});
    expect(result.status).toBe('completed');
    expect(result.counts.created + result.counts.updated).toBe(0);
    expect(result.counts.unchanged).toBe(result.counts.read - result.counts.failed);
    // Only setup calls (merge fields) reach Mailchimp, no member writes.
    expect(h.mc.stats.requests - before).toBeLessThanOrEqual(2);
  });

  it('an edited customer is updated, and only it is written', async () => {
    const rows = h.sage.data.customers();
    const lastDay = rows
      .map((r) => String(r.DateLastMaintained).slice(0, 10))
      .sort()
      .at(-1)!;
    const onBoundary = rows.filter((r) => String(r.DateLastMaintained).startsWith(lastDay)).length;
    const key = [...expectedMembers(rows).members.values()][3]!.key;
    // The boundary day is read again anyway; an edited customer outside it is one more row read.
    const wasOnBoundary = rows.some(
      (r) => r.CustomerNumber === key && String(r.DateLastMaintained).startsWith(lastDay),
    );
    const extra = wasOnBoundary ? 0 : 1;
    h.sage.data.editCustomer(key, { CustomerName: 'Renamed Trading Co.' });
    const result = await h.runJob({});
    // One write. (created/updated is the Mailchimp client's reading of timestamps with one-second
    // precision: an edit in the same second as the creation reads as `created`.)
    expect(result.counts.read).toBe(onBoundary + extra);
    expect(result.counts.created + result.counts.updated).toBe(1);
    expect(result.counts.unchanged + result.counts.failed).toBe(onBoundary + extra - 1);
    const members = await readMembers(h);
    expect(members.find((m) => m.merge_fields.SAGECUST === key)?.merge_fields.COMPANY).toBe(
      'Renamed Trading Co.',
    );
  });
});
