import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { subscriberHash } from '../../src/mailchimp/hash.js';
import { readJobTrail } from '../../src/starter/audit.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

describe('members a marketer archived in Mailchimp', () => {
  let h: SyncHarness;
  let worker: Awaited<ReturnType<SyncHarness['startWorker']>>;
  beforeAll(async () => {
    h = await startHarness({ customers: 24, sagePageSize: 10 });
    worker = await h.startWorker();
  });
  afterAll(async () => h?.stop());

  const status = (email: string) => h.mc.state.member(h.listId, email)?.status;
  /** Archives a member as a marketer does: DELETE through the API. */
  async function archive(email: string): Promise<void> {
    const res = await fetch(`${h.mc.apiUrl}/lists/${h.listId}/members/${subscriberHash(email)}`, {
      method: 'DELETE',
      headers: { authorization: `Basic ${Buffer.from(`any:${h.mc.apiKey}`).toString('base64')}` },
    });
    expect(res.status).toBe(204);
  }
  async function skippedAsArchived(jobId: string): Promise<string[]> {
    const trail = await readJobTrail(h.t.client, jobId);
    return trail.records
      .filter((r) => r.action === 'skipped' && r.reason === 'archived in Mailchimp')
      .map((r) => r.key)
      .sort();
  }

  it('stay archived through the first load, full and incremental syncs; SYNC_RESTORE_ARCHIVED=true brings them back', async () => {
    const [a, b, c] = [...expectedMembers(h.sage.data.customers()).members].map(([email, m]) => ({
      email,
      key: m.key,
    }));
    // Archived before the connector ever ran (an earlier import the marketer cleaned up).
    h.mc.state.seedMember(h.listId, { email: a!.email, status: 'archived' });
    const first = `customers-${h.company}-20261127T090000Z-manual`;
    expect((await h.runJob({ full: true }, first)).status).toMatch(/^completed/);
    expect(status(a!.email)).toBe('archived');
    expect(status(b!.email)).toBe('transactional');
    expect(await skippedAsArchived(first)).toEqual([a!.key]);
    const skipped = (await readJobTrail(h.t.client, first)).records.find((r) => r.key === a!.key)!;
    expect(skipped.email).toMatch(/\*\*\*/);

    await archive(b!.email);
    await archive(c!.email);
    const full = `customers-${h.company}-20261127T100000Z-manual`;
    const fullResult = await h.runJob({ full: true }, full);
    expect(fullResult.status).toMatch(/^completed/);
    expect([a, b, c].map((m) => status(m!.email))).toEqual(['archived', 'archived', 'archived']);
    expect(await skippedAsArchived(full)).toEqual([a!.key, b!.key, c!.key].sort());

    // An edit in Sage makes the next incremental job read B again: it is still left alone.
    h.sage.data.editCustomer(b!.key, { PhoneNumber: '+1 416 555 0199' });
    const incremental = `customers-${h.company}-20261127T110000Z-manual`;
    expect((await h.runJob({}, incremental)).status).toMatch(/^completed/);
    expect(await skippedAsArchived(incremental)).toContain(b!.key);
    expect(status(b!.email)).toBe('archived');
    expect(h.mc.state.member(h.listId, b!.email)?.mergeFields.PHONE).not.toBe('+1 416 555 0199');

    // The old behaviour, for those who want it: the PUT re-adds them (status_if_new).
    worker.worker.shutdown();
    await worker.running;
    await h.startWorker({ SYNC_RESTORE_ARCHIVED: 'true' });
    const restore = `customers-${h.company}-20261127T120000Z-manual`;
    expect((await h.runJob({ full: true }, restore)).status).toMatch(/^completed/);
    expect([a, b, c].map((m) => status(m!.email))).toEqual([
      'transactional',
      'transactional',
      'transactional',
    ]);
    expect(await skippedAsArchived(restore)).toEqual([]);
  });
});
