import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from '../sync-customers/harness.js';
import { expectedMembers } from '../sync-customers/expected.js';
import { subscriberHash } from '../../src/mailchimp/hash.js';
import { readJobTrail } from '../../src/starter/audit.js';
import { EMAIL_CONFLICT_TAG } from '../../src/activities/customers/follow-email.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

describe('a customer whose email changes in Sage', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startHarness({ customers: 24, sagePageSize: 10 });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  /** A marketer's change through the API, as Mailchimp's UI makes it. */
  async function api(method: string, email: string, path: string, body: unknown): Promise<void> {
    const res = await fetch(`${h.mc.apiUrl}/lists/${h.listId}/members/${subscriberHash(email)}${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`any:${h.mc.apiKey}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    expect(res.ok).toBe(true);
  }

  it('keeps one member, moved to the new address with its status and tags; an address another member has is not merged', async () => {
    const expected = expectedMembers(h.sage.data.customers());
    const winners = new Set(expected.duplicates.values());
    const [a, b] = [...expected.members]
      .filter(([, m]) => !winners.has(m.key))
      .map(([email, m]) => ({ email, key: m.key }));
    expect((await h.runJob({ full: true })).status).toMatch(/^completed/);
    const before = h.mc.state.members(h.listId).length;

    // The marketer's work on A's member: it must survive the address change.
    await api('PATCH', a!.email, '', { status: 'unsubscribed' });
    await api('POST', a!.email, '/tags', { tags: [{ name: 'trade-show-2026', status: 'active' }] });
    // Someone already on the list (not a customer the connector wrote) has the address B moves to.
    const taken = 'buyer.desk@maplehardware.com';
    h.mc.state.seedMember(h.listId, { email: taken, status: 'subscribed', tags: ['newsletter'] });

    const moved = 'accounts.payable@maplehardware.com';
    h.sage.data.editCustomer(a!.key, { Email: moved });
    h.sage.data.editCustomer(b!.key, { Email: taken });
    const job = await h.runJob({});
    expect(job.status).toBe('completed_with_failures');

    const all = h.mc.state.members(h.listId);
    expect(all).toHaveLength(before + 1); // the seeded member only: no second contact for A or B
    expect(h.mc.state.member(h.listId, a!.email)).toBeUndefined();
    const aNow = h.mc.state.member(h.listId, moved)!;
    expect(aNow.status).toBe('unsubscribed');
    expect(aNow.tags).toContain('trade-show-2026');
    expect(aNow.mergeFields.SAGECUST).toBe(a!.key);
    expect(all.filter((m) => m.mergeFields.SAGECUST === a!.key)).toHaveLength(1);

    // B: recorded failed with why, its member tagged for review, the other member untouched.
    const bOld = h.mc.state.member(h.listId, b!.email)!;
    expect(bOld.tags).toContain(EMAIL_CONFLICT_TAG);
    expect(bOld.mergeFields.SAGECUST).toBe(b!.key);
    const other = h.mc.state.member(h.listId, taken)!;
    expect(other.tags).toEqual(['newsletter']);
    expect(other.mergeFields.SAGECUST ?? '').toBe('');
    const trail = await readJobTrail(h.t.client, job.jobId);
    const bRecord = trail.records.find((r) => r.key === b!.key)!;
    expect(bRecord.action).toBe('failed');
    expect(bRecord.reason).toMatch(/another Mailchimp member already has: not merged/);
    expect(trail.records.find((r) => r.key === a!.key)?.action).toBe('updated');
  });
});
