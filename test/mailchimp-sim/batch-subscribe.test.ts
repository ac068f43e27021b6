import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { apiCaller } from './http.js';

const hash = (e: string) => createHash('md5').update(e.toLowerCase()).digest('hex');

interface BatchError {
  email_address: string;
  error: string;
  error_code: string;
  field: string;
  field_message: string;
}
interface BatchResult {
  new_members: { email_address: string; status: string; tags: unknown[] }[];
  updated_members: { email_address: string }[];
  errors: BatchError[];
  total_created: number;
  total_updated: number;
  error_count: number;
}

describe('Mailchimp simulator: batch subscribe (POST /lists/{list_id})', () => {
  let sim: MailchimpSimulator;
  let call: ReturnType<typeof apiCaller>;
  let list: string;
  const batch = (body: Record<string, unknown>, query = '') =>
    call<BatchResult>('POST', `/lists/${list}${query}`, body);
  const read = (email: string) => call('GET', `/lists/${list}/members/${hash(email)}`).then((r) => r.body);

  beforeAll(async () => {
    sim = await startMailchimpSimulator({ bulkPerMemberMs: 0 });
    call = apiCaller(sim);
    list = sim.state.createList();
  });
  afterAll(() => sim.stop());

  it('creates new members and reports every existing one as ERROR_CONTACT_EXISTS, untouched', async () => {
    const existing = [
      ['sub@acme.io', 'subscribed'],
      ['unsub@acme.io', 'unsubscribed'],
      ['clean@acme.io', 'cleaned'],
      ['arch@acme.io', 'archived'],
      ['tx@acme.io', 'transactional'],
    ] as const;
    for (const [email, status] of existing) {
      sim.state.seedMember(list, { email, status, mergeFields: { FNAME: 'Before' }, tags: ['Kept'] });
    }
    const before = await Promise.all(existing.map(([e]) => read(e)));
    const res = await batch({
      members: [
        { email_address: 'fresh1@acme.io', status: 'subscribed', merge_fields: { FNAME: 'F' } },
        { email_address: 'fresh2@acme.io', status: 'transactional' },
        ...existing.map(([email]) => ({
          email_address: email.toUpperCase(),
          status: 'subscribed',
          merge_fields: { FNAME: 'After' },
        })),
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total_created: 2, total_updated: 0, error_count: existing.length });
    expect(res.body.new_members.map((m) => [m.email_address, m.status])).toEqual([
      ['fresh1@acme.io', 'subscribed'],
      ['fresh2@acme.io', 'transactional'],
    ]);
    expect(res.body.errors).toEqual(
      existing.map(([email]) => ({
        email_address: email.toUpperCase(),
        error: expect.stringContaining('is already a list member'),
        error_code: 'ERROR_CONTACT_EXISTS',
        field: '',
        field_message: '',
      })),
    );
    // update_existing false (here: absent) never changes an existing member: status, fields, tags, last_changed.
    expect(await Promise.all(existing.map(([e]) => read(e)))).toEqual(before);
    const explicit = await batch({
      members: [{ email_address: 'unsub@acme.io', status: 'subscribed' }],
      update_existing: false,
    });
    expect(explicit.body.errors.map((e) => e.error_code)).toEqual(['ERROR_CONTACT_EXISTS']);
    expect(await read('unsub@acme.io')).toEqual(before[1]);
  });

  it('refuses invalid, fake and permanently deleted addresses with ERROR_GENERIC, per member', async () => {
    list = sim.state.createList();
    sim.state.forgetMember(list, 'erased@acme.io');
    const res = await batch({
      members: [
        { email_address: 'not-an-address', status: 'subscribed' },
        { email_address: 'someone@example.invalid', status: 'subscribed' },
        { email_address: '', status: 'subscribed' },
        { email_address: 'erased@acme.io', status: 'subscribed' },
        { email_address: 'nostatus@acme.io' },
        { email_address: 'badstatus@acme.io', status: 'maybe' },
        { email_address: 'ok@acme.io', status: 'subscribed' },
      ],
    });
    expect(res.body).toMatchObject({ total_created: 1, total_updated: 0, error_count: 6 });
    expect(res.body.errors.map((e) => [e.email_address, e.error_code, e.field])).toEqual([
      ['not-an-address', 'ERROR_GENERIC', 'email_address'],
      ['someone@example.invalid', 'ERROR_GENERIC', 'email_address'],
      ['', 'ERROR_GENERIC', 'email_address'],
      ['erased@acme.io', 'ERROR_GENERIC', ''],
      ['nostatus@acme.io', 'ERROR_GENERIC', 'status'],
      ['badstatus@acme.io', 'ERROR_GENERIC', 'status'],
    ]);
    expect(res.body.errors[1]!.error).toContain('looks fake or invalid');
    expect(res.body.errors[3]!.error).toContain('permanently deleted');
    expect(sim.state.members(list).map((m) => m.email)).toEqual(['ok@acme.io']);
  });

  it('reports merge-field errors with their field, and honours skip_merge_validation', async () => {
    const field = await call('POST', `/lists/${list}/merge-fields`, {
      name: 'Customer',
      type: 'text',
      tag: 'CUSTNO',
      required: true,
    });
    expect(field.status).toBe(200);
    const members = [{ email_address: 'needs@acme.io', status: 'subscribed' }];
    const refused = await batch({ members });
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        email_address: 'needs@acme.io',
        error_code: 'ERROR_GENERIC',
        field: 'CUSTNO',
      }),
    ]);
    const skipped = await batch({ members }, '?skip_merge_validation=true');
    expect(skipped.body).toMatchObject({ total_created: 1, error_count: 0 });
    const id = (field.body as { merge_id: number }).merge_id;
    await call('PATCH', `/lists/${list}/merge-fields/${id}`, { required: false });
  });

  it('flags duplicates in one request unless skip_duplicate_check, where the first appearance wins', async () => {
    const dup = await batch({
      members: [
        { email_address: 'twice@acme.io', status: 'subscribed' },
        { email_address: 'TWICE@acme.io', status: 'unsubscribed' },
      ],
    });
    expect(dup.body).toMatchObject({ total_created: 1, error_count: 1 });
    expect(dup.body.errors[0]).toMatchObject({ email_address: 'TWICE@acme.io', error_code: 'ERROR_GENERIC' });
    const skip = await batch(
      {
        members: [
          { email_address: 'once@acme.io', status: 'pending' },
          { email_address: 'once@acme.io', status: 'subscribed' },
        ],
      },
      '?skip_duplicate_check=true',
    );
    expect(skip.body).toMatchObject({ total_created: 1, error_count: 0 });
    expect(sim.state.member(list, 'once@acme.io')?.status).toBe('pending');
  });

  it('gives new members no tags: bulk tags go through static segments', async () => {
    const res = await batch({
      members: [{ email_address: 'tagless@acme.io', status: 'subscribed', tags: ['Wholesale'] }],
    });
    expect(res.body.total_created).toBe(1);
    expect(sim.state.member(list, 'tagless@acme.io')?.tags).toEqual([]);
  });

  it('with update_existing changes existing members, but never re-subscribes a compliance state', async () => {
    sim.state.seedMember(list, { email: 'upd@acme.io', status: 'subscribed' });
    sim.state.seedMember(list, { email: 'optout@acme.io', status: 'unsubscribed' });
    const res = await batch({
      members: [
        { email_address: 'upd@acme.io', status: 'unsubscribed' },
        { email_address: 'optout@acme.io', status: 'subscribed' },
      ],
      update_existing: true,
    });
    expect(res.body).toMatchObject({ total_created: 0, total_updated: 1, error_count: 1 });
    expect(res.body.errors[0]).toMatchObject({
      email_address: 'optout@acme.io',
      error_code: 'ERROR_GENERIC',
    });
    expect(sim.state.member(list, 'upd@acme.io')?.status).toBe('unsubscribed');
    expect(sim.state.member(list, 'optout@acme.io')?.status).toBe('unsubscribed');
  });

  it('takes at most 500 members: 501 is a 400 naming the members field and writes nothing', async () => {
    const members = (n: number, prefix: string) =>
      Array.from({ length: n }, (_, i) => ({ email_address: `${prefix}${i}@acme.io`, status: 'subscribed' }));
    const before = sim.state.members(list).length;
    const over = await batch({ members: members(501, 'over') });
    expect(over.status).toBe(400);
    expect(over.body).toMatchObject({
      title: 'Invalid Resource',
      errors: [{ field: 'members', message: expect.stringContaining('500') }],
    });
    expect(sim.state.members(list)).toHaveLength(before);
    const full = await batch({ members: members(500, 'cap') });
    expect(full.body).toMatchObject({ total_created: 500, error_count: 0 });
  });

  it('uses only the error codes the spec allows', async () => {
    const res = await batch({
      members: [
        { email_address: 'upd@acme.io', status: 'subscribed' },
        { email_address: 'bad', status: 'subscribed' },
      ],
    });
    for (const e of res.body.errors)
      expect(['ERROR_CONTACT_EXISTS', 'ERROR_GENERIC']).toContain(e.error_code);
    expect(res.body.errors).toHaveLength(2);
  });
});
