import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { apiCaller } from './http.js';

const hash = (e: string) => createHash('md5').update(e.toLowerCase()).digest('hex');

describe('Mailchimp simulator: audience members', () => {
  let sim: MailchimpSimulator;
  let call: ReturnType<typeof apiCaller>;
  let list: string;
  const put = (email: string, body: Record<string, unknown>, query = '') =>
    call('PUT', `/lists/${list}/members/${hash(email)}${query}`, { email_address: email, ...body });

  beforeAll(async () => {
    sim = await startMailchimpSimulator();
    call = apiCaller(sim);
    list = sim.state.createList();
  });
  afterAll(() => sim.stop());

  it('applies status_if_new only to new addresses and status always', async () => {
    const created = await put('Ann@Acme.io', { status_if_new: 'subscribed', merge_fields: { FNAME: 'Ann' } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      id: hash('ann@acme.io'),
      status: 'subscribed',
      email_address: 'Ann@Acme.io',
    });
    const again = await put('Ann@Acme.io', {
      status_if_new: 'transactional',
      merge_fields: { LNAME: 'Lee' },
    });
    expect(again.body).toMatchObject({ status: 'subscribed', merge_fields: { FNAME: 'Ann', LNAME: 'Lee' } });
    const explicit = await put('Ann@Acme.io', { status_if_new: 'subscribed', status: 'unsubscribed' });
    expect(explicit.body.status).toBe('unsubscribed');
    const read = await call('GET', `/lists/${list}/members/${hash('ann@acme.io')}`);
    expect(read.body.status).toBe('unsubscribed');
  });

  it('refuses to subscribe a member in a compliance state, but allows pending', async () => {
    sim.state.seedMember(list, { email: 'gone@acme.io', status: 'unsubscribed' });
    const res = await put('gone@acme.io', { status_if_new: 'subscribed', status: 'subscribed' });
    expect(res.status).toBe(400);
    expect(res.body.title).toBe('Member In Compliance State');
    const soft = await put('gone@acme.io', { status_if_new: 'subscribed' });
    expect(soft.body.status).toBe('unsubscribed');
    const pending = await put('gone@acme.io', { status_if_new: 'subscribed', status: 'pending' });
    expect(pending.body.status).toBe('pending');
  });

  it('blocks every add of a permanently deleted address', async () => {
    await put('erase@acme.io', { status_if_new: 'subscribed' });
    const del = await call(
      'POST',
      `/lists/${list}/members/${hash('erase@acme.io')}/actions/delete-permanent`,
    );
    expect(del.status).toBe(204);
    expect((await call('GET', `/lists/${list}/members/${hash('erase@acme.io')}`)).status).toBe(404);
    const again = await put('erase@acme.io', { status_if_new: 'subscribed' });
    expect(again.status).toBe(400);
    expect(again.body.title).toBe('Forgotten Email Not Subscribed');
    const post = await call('POST', `/lists/${list}/members`, {
      email_address: 'erase@acme.io',
      status: 'subscribed',
    });
    expect(post.body.title).toBe('Forgotten Email Not Subscribed');
  });

  it('answers Member Exists to POST for a known (also archived) address', async () => {
    const first = await call('POST', `/lists/${list}/members`, {
      email_address: 'bob@acme.io',
      status: 'subscribed',
    });
    expect(first.status).toBe(200);
    const dup = await call('POST', `/lists/${list}/members`, {
      email_address: 'BOB@acme.io',
      status: 'subscribed',
    });
    expect(dup.status).toBe(400);
    expect(dup.body.title).toBe('Member Exists');
    expect((await call('DELETE', `/lists/${list}/members/${hash('bob@acme.io')}`)).status).toBe(204);
    const archived = await call('GET', `/lists/${list}/members/${hash('bob@acme.io')}`);
    expect(archived.body.status).toBe('archived');
    const dup2 = await call('POST', `/lists/${list}/members`, {
      email_address: 'bob@acme.io',
      status: 'subscribed',
    });
    expect(dup2.body.title).toBe('Member Exists');
    const readd = await put('bob@acme.io', { status_if_new: 'subscribed' });
    expect(readd.body.status).toBe('subscribed');
  });

  it('rejects fake-looking or malformed addresses and a hash that does not match the body', async () => {
    for (const email of ['test@test.com', 'someone@example.invalid', 'not-an-email']) {
      const res = await put(email, { status_if_new: 'subscribed' });
      expect(res.status).toBe(400);
      expect(res.body.title).toBe('Invalid Resource');
    }
    const fake = await put('test@test.com', { status_if_new: 'subscribed' });
    expect(fake.body.detail).toContain('looks fake or invalid, please enter a real email address.');
    const mismatch = await call('PUT', `/lists/${list}/members/${hash('one@acme.io')}`, {
      email_address: 'two@acme.io',
      status_if_new: 'subscribed',
    });
    expect(mismatch.status).toBe(400);
    const missing = await call('PUT', `/lists/${list}/members/${hash('x@acme.io')}`, {
      email_address: 'x@acme.io',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('status_if_new') }),
    ]);
  });

  it('enforces merge fields: required, tag length, address completeness, skip_merge_validation', async () => {
    const l2 = sim.state.createList();
    const long = await call('POST', `/lists/${l2}/merge-fields`, {
      name: 'Too long',
      type: 'text',
      tag: 'ABCDEFGHIJK',
    });
    expect(long.status).toBe(400);
    const made = await call('POST', `/lists/${l2}/merge-fields`, {
      name: 'Sage Id',
      type: 'text',
      tag: 'SAGEID',
      required: true,
    });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({
      tag: 'SAGEID',
      required: true,
      type: 'text',
      merge_id: expect.any(Number),
    });
    const page = await call<{ merge_fields: { tag: string }[]; total_items: number }>(
      'GET',
      `/lists/${l2}/merge-fields?count=2&offset=4`,
    );
    expect(page.body.total_items).toBe(5);
    expect(page.body.merge_fields.map((f) => f.tag)).toEqual(['SAGEID']);

    const path = `/lists/${l2}/members/${hash('mf@acme.io')}`;
    const bad = await call('PUT', path, { email_address: 'mf@acme.io', status_if_new: 'subscribed' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      title: 'Invalid Resource',
      detail: 'Your merge fields were invalid.',
      errors: [{ field: 'SAGEID', message: expect.any(String) }],
    });
    const skipped = await call('PUT', `${path}?skip_merge_validation=true`, {
      email_address: 'mf@acme.io',
      status_if_new: 'subscribed',
    });
    expect(skipped.status).toBe(200);
    const partial = await call('PUT', path, {
      email_address: 'mf@acme.io',
      status_if_new: 'subscribed',
      merge_fields: { SAGEID: 'C1', ADDRESS: { addr1: '1 Main', city: 'Atlanta' } },
    });
    expect(partial.status).toBe(400);
    expect(partial.body.errors).toEqual([{ field: 'ADDRESS', message: expect.any(String) }]);
    const full = await call('PUT', path, {
      email_address: 'mf@acme.io',
      status_if_new: 'subscribed',
      merge_fields: {
        SAGEID: 'C1',
        ADDRESS: { addr1: '1 Main', city: 'Atlanta', state: 'GA', zip: '30301' },
      },
    });
    expect(full.status).toBe(200);
    expect(full.body.merge_fields).toMatchObject({ SAGEID: 'C1', ADDRESS: { city: 'Atlanta' } });
  });

  it('refuses a text merge field over 255 characters, as Mailchimp does, and takes 255', async () => {
    const l5 = sim.state.createList();
    const path = `/lists/${l5}/members/${hash('long@acme.io')}`;
    const body = (name: string) => ({
      email_address: 'long@acme.io',
      status_if_new: 'transactional',
      merge_fields: { FNAME: name, LNAME: 'Long' },
    });
    const tooLong = await call('PUT', path, body('é'.repeat(256)));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({
      title: 'Invalid Resource',
      errors: [{ field: 'FNAME', message: 'Please enter 255 characters or fewer' }],
    });
    // Characters, not UTF-16 units: 255 emoji are 510 units and fit.
    const fits = await call('PUT', path, body('😀'.repeat(255)));
    expect(fits.status).toBe(200);
  });

  it('caps an audience at 30 merge fields', async () => {
    const l3 = sim.state.createList();
    let last = 0;
    for (let i = 0; i < 26; i++) {
      last = (await call('POST', `/lists/${l3}/merge-fields`, { name: `F${i}`, type: 'text', tag: `F${i}` }))
        .status;
    }
    expect(last).toBe(200);
    const over = await call('POST', `/lists/${l3}/merge-fields`, { name: 'One more', type: 'text' });
    expect(over.status).toBe(400);
    expect(over.body.title).toBe('Invalid Resource');
  });

  it('applies body tags only on create and the tags endpoint always', async () => {
    const created = await put('tag@acme.io', { status_if_new: 'subscribed', tags: ['Wholesale'] });
    expect(created.body.tags).toEqual([{ id: expect.any(Number), name: 'Wholesale' }]);
    const updated = await put('tag@acme.io', { status_if_new: 'subscribed', tags: ['Retail'] });
    expect((updated.body.tags as { name: string }[]).map((t) => t.name)).toEqual(['Wholesale']);
    const post = await call('POST', `/lists/${list}/members/${hash('tag@acme.io')}/tags`, {
      tags: [
        { name: 'Retail', status: 'active' },
        { name: 'Wholesale', status: 'inactive' },
      ],
    });
    expect(post.status).toBe(204);
    const tags = await call<{ tags: { name: string }[]; total_items: number }>(
      'GET',
      `/lists/${list}/members/${hash('tag@acme.io')}/tags`,
    );
    expect(tags.body.tags.map((t) => t.name)).toEqual(['Retail']);
    const nobody = await call('POST', `/lists/${list}/members/${hash('nobody@acme.io')}/tags`, {
      tags: [{ name: 'X', status: 'active' }],
    });
    expect(nobody.status).toBe(404);
  });

  it('pages members with count/offset and total_items', async () => {
    const l4 = sim.state.createList();
    for (let i = 0; i < 25; i++) sim.state.seedMember(l4, { email: `p${i}@acme.io`, status: 'subscribed' });
    const page = await call<{ members: { email_address: string }[]; total_items: number }>(
      'GET',
      `/lists/${l4}/members?count=10&offset=20`,
    );
    expect(page.body.total_items).toBe(25);
    expect(page.body.members.map((m) => m.email_address)).toEqual(
      [20, 21, 22, 23, 24].map((i) => `p${i}@acme.io`),
    );
    const patched = await call('PATCH', `/lists/${l4}/members/${hash('p3@acme.io')}`, {
      merge_fields: { FNAME: 'Pat' },
    });
    expect(patched.body.merge_fields).toMatchObject({ FNAME: 'Pat' });
    expect((await call('PATCH', `/lists/${l4}/members/${hash('zz@acme.io')}`, {})).status).toBe(404);
    expect((await call('GET', `/lists/${l4}`)).body).toMatchObject({ stats: { member_count: 25 } });
  });
});
