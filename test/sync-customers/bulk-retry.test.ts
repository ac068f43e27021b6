import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers } from './members.js';
import { subscriberHash } from '../../src/mailchimp/hash.js';
import { readJobTrail } from '../../src/starter/audit.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

/** Mailchimp's HTTP layer tries a request 5 times (src/mailchimp/http.ts): a fault this often fails the attempt. */
const ALL_TRIES = 5;

/**
 * A first load of one page (new customers plus one existing member) with one fault rule: 503 for
 * every try of the page's first attempt unless the rule says otherwise. Returns what the job sent
 * to the audience, its outcomes and the members left.
 */
async function firstLoadWithFault(
  h: SyncHarness,
  fault: (existingHash: string) => { method: string; path: string; afterApply?: boolean; times?: number },
) {
  const expected = expectedMembers(h.sage.data.customers());
  const existing = [...expected.members.keys()][5]!;
  h.mc.state.seedMember(h.listId, { email: existing, status: 'unsubscribed' });
  h.mc.faults.set({ rules: [{ status: 503, times: ALL_TRIES, ...fault(subscriberHash(existing)) }] });
  await h.startWorker();
  const jobId = `customers-${h.company}-20261127T100000Z-manual`;
  const result = await h.runJob({ full: true }, jobId);
  const requests = (h.mc.stats.log ?? [])
    .map((r) => `${r.method} ${r.path.replace(/^\/3\.0/, '')}`)
    .filter((r) => r.includes(`/lists/${h.listId}`));
  const trail = await readJobTrail(h.t.client, jobId);
  const members = await readMembers(h);
  return { expected, existing, result, requests, trail, members };
}

describe('bulk pages under Mailchimp faults', () => {
  let h: SyncHarness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('members created in bulk by a failed attempt are not sent again by the next one', async () => {
    h = await startHarness({ customers: 40, sagePageSize: 40 });
    const listId = h.listId;
    // The existing member's PUT comes after the bulk call: it fails the first attempt.
    const run = await firstLoadWithFault(h, (hash) => ({
      method: 'PUT',
      path: `/lists/${listId}/members/${hash}`,
    }));
    expect(run.result.status).toBe('completed_with_failures'); // the fake addresses only
    const existingPuts = run.requests.filter(
      (r) => r.startsWith('PUT ') && r.endsWith(subscriberHash(run.existing)),
    );
    expect(existingPuts).toHaveLength(ALL_TRIES + 1);
    // One batch call, one add per tag segment, no PUT of a created member: nothing sent twice.
    expect(run.requests.filter((r) => r === `POST /lists/${listId}`)).toHaveLength(1);
    const segmentAdds = run.requests.filter((r) => /\/segments\/\d+$/.test(r));
    expect(new Set(segmentAdds).size).toBe(segmentAdds.length);
    expect(run.requests.filter((r) => r.startsWith('PUT '))).toEqual(existingPuts);

    const created = run.trail.records.filter((r) => r.action === 'created');
    expect(created.length).toBe(run.expected.members.size - 1);
    expect(new Set(created.map((r) => r.key)).size).toBe(created.length);
    expect(run.trail.records.filter((r) => r.action === 'updated')).toHaveLength(1);
    expect(run.members).toHaveLength(run.expected.members.size);
    expect(run.members.find((m) => m.email_address === run.existing)?.status).toBe('unsubscribed');
  });

  it('a bulk call Mailchimp keeps failing is sent again by the next attempt, the PUTs it settled are not', async () => {
    h = await startHarness({ customers: 40, sagePageSize: 40 });
    const listId = h.listId;
    const run = await firstLoadWithFault(h, () => ({ method: 'POST', path: `/lists/${listId}` }));
    expect(run.result.status).toBe('completed_with_failures');
    expect(run.requests.filter((r) => r === `POST /lists/${listId}`)).toHaveLength(ALL_TRIES + 1);
    // The existing member was written by the first attempt and not again.
    expect(run.requests.filter((r) => r.startsWith('PUT '))).toEqual([
      `PUT /lists/${listId}/members/${subscriberHash(run.existing)}`,
    ]);
    const segmentAdds = run.requests.filter((r) => /\/segments\/\d+$/.test(r));
    expect(new Set(segmentAdds).size).toBe(segmentAdds.length);
    const created = run.trail.records.filter((r) => r.action === 'created');
    expect(created.length).toBe(run.expected.members.size - 1);
    expect(run.trail.records.filter((r) => r.action === 'updated')).toHaveLength(1);
    expect(run.members).toHaveLength(run.expected.members.size);
    for (const m of run.members.filter((x) => x.email_address !== run.existing)) {
      expect(m.tags.some((t) => t.name.startsWith('group:'))).toBe(true);
    }
    expect(run.members.find((m) => m.email_address === run.existing)?.status).toBe('unsubscribed');
  });

  it('a batch answer lost after Mailchimp applied it: the members it reports existing are PUT and tagged', async () => {
    h = await startHarness({ customers: 40, sagePageSize: 40 });
    const listId = h.listId;
    // The first try creates the members but its answer is lost; the retry finds them all existing.
    const run = await firstLoadWithFault(h, () => ({
      method: 'POST',
      path: `/lists/${listId}`,
      afterApply: true,
      times: 1,
    }));
    expect(run.result.status).toBe('completed_with_failures');
    expect(run.requests.filter((r) => r === `POST /lists/${listId}`)).toHaveLength(2);
    const puts = run.requests.filter((r) => r.startsWith('PUT '));
    // Each new member once (and the fake ones, refused again by their PUT), the existing one once.
    expect(new Set(puts).size).toBe(puts.length);
    expect(run.result.counts.created + run.result.counts.updated).toBe(run.expected.members.size);
    expect(run.members).toHaveLength(run.expected.members.size);
    for (const m of run.members.filter((x) => x.email_address !== run.existing)) {
      expect(m.tags.some((t) => t.name.startsWith('group:'))).toBe(true);
      expect(m.status).toBe('transactional');
    }
    expect(run.members.find((m) => m.email_address === run.existing)?.status).toBe('unsubscribed');
  });
});
