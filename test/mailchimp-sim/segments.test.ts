import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { apiCaller } from './http.js';

const hash = (e: string) => createHash('md5').update(e.toLowerCase()).digest('hex');

interface Segment {
  id: number;
  name: string;
  type: string;
  member_count: number;
}
interface Bulk {
  members_added: { email_address: string; tags: { name: string }[] }[];
  members_removed: { email_address: string }[];
  errors: { email_addresses: string[]; error: string }[];
  total_added: number;
  total_removed: number;
  error_count: number;
}

describe('Mailchimp simulator: static segments are tags', () => {
  let sim: MailchimpSimulator;
  let call: ReturnType<typeof apiCaller>;
  let list: string;
  const tagsOf = async (email: string) =>
    (await call<{ tags: { name: string }[] }>('GET', `/lists/${list}/members/${hash(email)}`)).body.tags
      .map((t) => t.name)
      .sort();
  const create = (name: string, emails: string[] = []) =>
    call<Segment>('POST', `/lists/${list}/segments`, { name, static_segment: emails });

  beforeAll(async () => {
    sim = await startMailchimpSimulator({ bulkPerMemberMs: 0 });
    call = apiCaller(sim);
    list = sim.state.createList();
    for (const [email, status] of [
      ['ann@acme.io', 'subscribed'],
      ['bob@acme.io', 'subscribed'],
      ['cy@acme.io', 'unsubscribed'],
      ['dee@acme.io', 'cleaned'],
    ] as const) {
      sim.state.seedMember(list, { email, status });
    }
  });
  afterAll(() => sim.stop());

  it('creates a static segment, lists it with type=static and paging, and reads it back', async () => {
    const made = await create('Wholesale', ['ann@acme.io', 'nobody@acme.io']);
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ name: 'Wholesale', type: 'static', member_count: 1, list_id: list });
    // The address that is not on the list is ignored, as the spec says for static_segment.
    expect(await tagsOf('ann@acme.io')).toEqual(['Wholesale']);
    await create('Retail');
    const page = await call<{ segments: Segment[]; total_items: number }>(
      'GET',
      `/lists/${list}/segments?type=static&count=1&offset=1`,
    );
    expect(page.body.total_items).toBeGreaterThanOrEqual(2);
    expect(page.body.segments).toHaveLength(1);
    const saved = await call<{ segments: Segment[]; total_items: number }>(
      'GET',
      `/lists/${list}/segments?type=saved`,
    );
    expect(saved.body).toMatchObject({ segments: [], total_items: 0 });
    const one = await call<Segment>('GET', `/lists/${list}/segments/${made.body.id}`);
    expect(one.body).toMatchObject({ id: made.body.id, name: 'Wholesale', member_count: 1 });
    expect((await call('GET', `/lists/${list}/segments/999999`)).status).toBe(404);
  });

  it('refuses a segment without static_segment or options, and a second one of the same name', async () => {
    const bare = await call('POST', `/lists/${list}/segments`, { name: 'Bare' });
    expect(bare.status).toBe(400);
    expect(bare.body).toMatchObject({
      title: 'Invalid Resource',
      detail: 'Must provide either an "options" field or a "static_segment" field',
    });
    await create('Twice');
    const again = await call('POST', `/lists/${list}/segments`, { name: 'Twice', static_segment: [] });
    expect(again.status).toBe(400);
    expect(again.body.title).toBe('Invalid Resource');
  });

  it('adds and removes members in bulk, reporting addresses that are not list members', async () => {
    const seg = (await create('Trade')).body;
    sim.state.forgetMember(list, 'erased@acme.io');
    const res = await call<Bulk>('POST', `/lists/${list}/segments/${seg.id}`, {
      members_to_add: ['ann@acme.io', 'BOB@acme.io', 'cy@acme.io', 'stranger@acme.io', 'erased@acme.io'],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total_added: 3, total_removed: 0, error_count: 2 });
    expect(res.body.members_added.map((m) => m.email_address).sort()).toEqual([
      'ann@acme.io',
      'bob@acme.io',
      'cy@acme.io',
    ]);
    // The member answer already shows the tag it was just given.
    expect(res.body.members_added.every((m) => m.tags.some((t) => t.name === 'Trade'))).toBe(true);
    expect(res.body.errors).toEqual([
      { email_addresses: ['stranger@acme.io', 'erased@acme.io'], error: expect.any(String) },
    ]);
    // Tagging never changes a status, and the unsubscribed member is tagged too (tags are for every contact).
    expect(sim.state.member(list, 'cy@acme.io')).toMatchObject({ status: 'unsubscribed', tags: ['Trade'] });
    // member_count counts subscribed members only.
    expect((await call<Segment>('GET', `/lists/${list}/segments/${seg.id}`)).body.member_count).toBe(2);

    // A retried call answers the same and changes nothing.
    const retry = await call<Bulk>('POST', `/lists/${list}/segments/${seg.id}`, {
      members_to_add: ['ann@acme.io'],
    });
    expect(retry.body).toMatchObject({ total_added: 1, error_count: 0 });
    expect(await tagsOf('ann@acme.io')).toEqual(['Trade', 'Wholesale']);

    const removed = await call<Bulk>('POST', `/lists/${list}/segments/${seg.id}`, {
      members_to_remove: ['bob@acme.io', 'stranger@acme.io'],
    });
    expect(removed.body).toMatchObject({ total_added: 0, total_removed: 1, error_count: 1 });
    expect(removed.body.members_removed.map((m) => m.email_address)).toEqual(['bob@acme.io']);
    expect(await tagsOf('bob@acme.io')).toEqual([]);
  });

  it('keeps tags and segment membership one thing, both ways', async () => {
    // Tag through the member tags endpoint: the segment of that name appears and holds the member.
    const tagged = await call('POST', `/lists/${list}/members/${hash('dee@acme.io')}/tags`, {
      tags: [{ name: 'VIP', status: 'active' }],
    });
    expect(tagged.status).toBe(204);
    const all = await call<{ segments: Segment[] }>('GET', `/lists/${list}/segments?type=static&count=1000`);
    const vip = all.body.segments.find((s) => s.name === 'VIP')!;
    expect(vip).toBeDefined();
    const members = await call<{ members: { email_address: string }[]; total_items: number }>(
      'GET',
      `/lists/${list}/segments/${vip.id}/members?include_cleaned=true`,
    );
    expect(members.body.members.map((m) => m.email_address)).toEqual(['dee@acme.io']);
    // The tag id a member shows is the segment id.
    const member = await call<{ tags: { id: number; name: string }[] }>(
      'GET',
      `/lists/${list}/members/${hash('dee@acme.io')}`,
    );
    expect(member.body.tags).toEqual([{ id: vip.id, name: 'VIP' }]);

    // Add through the segment: the member's tags (GET, PUT answer, tags endpoint) show it.
    await call('POST', `/lists/${list}/segments/${vip.id}`, { members_to_add: ['bob@acme.io'] });
    expect(await tagsOf('bob@acme.io')).toEqual(['VIP']);
    const put = await call<{ tags: { name: string }[] }>(
      'PUT',
      `/lists/${list}/members/${hash('bob@acme.io')}`,
      {
        email_address: 'bob@acme.io',
        status_if_new: 'subscribed',
      },
    );
    expect(put.body.tags.map((t) => t.name)).toEqual(['VIP']);
    const tagList = await call<{ tags: { id: number; name: string }[] }>(
      'GET',
      `/lists/${list}/members/${hash('bob@acme.io')}/tags`,
    );
    expect(tagList.body.tags).toEqual([expect.objectContaining({ id: vip.id, name: 'VIP' })]);

    // Remove through the tags endpoint: the segment no longer holds the member.
    await call('POST', `/lists/${list}/members/${hash('bob@acme.io')}/tags`, {
      tags: [{ name: 'VIP', status: 'inactive' }],
    });
    const after = await call<{ members: { email_address: string }[] }>(
      'GET',
      `/lists/${list}/segments/${vip.id}/members?include_cleaned=true`,
    );
    expect(after.body.members.map((m) => m.email_address)).toEqual(['dee@acme.io']);
  });

  it('caps members_to_add and members_to_remove at 500 each', async () => {
    const seg = (await create('Big')).body;
    const emails = (n: number) => Array.from({ length: n }, (_, i) => `m${i}@acme.io`);
    const over = await call('POST', `/lists/${list}/segments/${seg.id}`, { members_to_remove: emails(501) });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({ title: 'Invalid Resource', status: 400 });
    expect(String(over.body.detail)).toContain('at most 500 items');
    const atCap = await call<Bulk>('POST', `/lists/${list}/segments/${seg.id}`, {
      members_to_add: emails(500),
      members_to_remove: emails(500),
    });
    expect(atCap.status).toBe(200);
    expect(atCap.body.error_count).toBe(1000);
  });

  it('renames, resets and deletes a segment together with the members’ tags', async () => {
    const seg = (await create('Old name', ['ann@acme.io'])).body;
    const renamed = await call<Segment>('PATCH', `/lists/${list}/segments/${seg.id}`, {
      name: 'New name',
      static_segment: ['bob@acme.io'],
    });
    expect(renamed.body).toMatchObject({ id: seg.id, name: 'New name', member_count: 1 });
    expect(await tagsOf('ann@acme.io')).not.toContain('Old name');
    expect(await tagsOf('ann@acme.io')).not.toContain('New name');
    expect(await tagsOf('bob@acme.io')).toContain('New name');
    expect((await call('DELETE', `/lists/${list}/segments/${seg.id}`)).status).toBe(204);
    expect(await tagsOf('bob@acme.io')).not.toContain('New name');
    expect((await call('GET', `/lists/${list}/segments/${seg.id}`)).status).toBe(404);
  });
});
