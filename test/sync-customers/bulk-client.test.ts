import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MailchimpClient } from '../../src/mailchimp/client.js';
import type { MemberInput } from '../../src/mailchimp/types.js';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { email, simClient } from '../mailchimp/helpers.js';

let sim: MailchimpSimulator;
let client: MailchimpClient;

beforeAll(async () => {
  sim = await startMailchimpSimulator();
  client = await simClient(sim);
});
afterAll(async () => sim?.stop());

const member = (address: string, mergeFields: Record<string, unknown> = { REGION: 'East' }): MemberInput => ({
  email: address,
  statusIfNew: 'transactional',
  mergeFields: { FNAME: 'Zoë', ...mergeFields },
});

/** An audience with a required merge field and members in every state a first load meets. */
async function messyAudience(): Promise<string> {
  const listId = sim.state.createList({ name: 'Customers' });
  await client.ensureMergeFields(listId, [{ tag: 'REGION', name: 'Region', type: 'text', required: true }]);
  sim.state.seedMember(listId, { email: email('optedout'), status: 'unsubscribed' });
  sim.state.seedMember(listId, { email: email('bounced'), status: 'cleaned' });
  sim.state.seedMember(listId, { email: email('shelved'), status: 'archived' });
  sim.state.forgetMember(listId, email('erased'));
  return listId;
}

const segmentNamed = async (listId: string, name: string) => {
  const page = await client.request<{ segments: Array<{ id: number; name: string }> }>(
    'GET',
    `lists/${listId}/segments`,
    { searchParams: { type: 'static', count: 1000 } },
  );
  return page.segments.filter((s) => s.name === name);
};

describe('batch subscribe of new members', () => {
  it('answers each member as a PUT of the same data would: created, existing untouched, refused alike', async () => {
    const inputs = [
      member(email('new.one')),
      member(`  ${email('New.Two').toUpperCase()} `),
      member(email('optedout')),
      member(email('bounced')),
      member(email('shelved')),
      member(email('erased')),
      member('buchhaltung@slowpayer.example'),
      member(email('noregion'), {}),
    ];
    const bulkList = await messyAudience();
    const putList = await messyAudience();
    const bulk = await client.subscribeNew(bulkList, inputs);
    const put = await client.upsertMembers(putList, inputs);

    expect(bulk.map((o) => o.kind)).toEqual([
      'created',
      'created',
      'exists',
      'exists',
      'exists',
      'refused',
      'refused',
      'refused',
    ]);
    bulk.forEach((o, i) => {
      const p = put[i]!;
      if (o.kind === 'refused') expect(p).toMatchObject({ ok: false, error: o.error });
      if (o.kind === 'created') expect(p).toMatchObject({ ok: true, action: 'created', status: o.status });
    });
    // Existing members, archived ones too, are exactly as they were: no status, no merge field.
    for (const local of ['optedout', 'bounced', 'shelved'])
      expect(sim.state.member(bulkList, email(local))?.mergeFields).toEqual({});
    expect(sim.state.member(bulkList, email('optedout'))?.status).toBe('unsubscribed');
    expect(sim.state.member(bulkList, email('bounced'))?.status).toBe('cleaned');
    expect(sim.state.member(bulkList, email('shelved'))?.status).toBe('archived');
    expect(sim.state.member(bulkList, email('new.two'))).toMatchObject({
      status: 'transactional',
      mergeFields: { FNAME: 'Zoë', REGION: 'East' },
    });
  });
});

describe('tags through static segments', () => {
  it('finds or creates the segment once, tags 500 a call, and skips addresses that are not members', async () => {
    const listId = sim.state.createList({ name: 'Tagged' });
    const emails = Array.from({ length: 520 }, (_, i) => email(`m${i}`));
    for (const e of emails) sim.state.seedMember(listId, { email: e, status: 'subscribed' });
    sim.state.seedMember(listId, { email: email('marketer'), status: 'subscribed', tags: ['Group:RTL'] });
    const tags = client.tagSegments(listId);
    const before = sim.stats.log?.length ?? 0;
    const refused = await tags.add('group:RTL', [...emails, email('stranger')]);
    expect(refused.map((r) => r.email)).toEqual([email('stranger')]);
    await tags.add('territory:EU', emails.slice(0, 3));
    const sent = (sim.stats.log ?? [])
      .slice(before)
      .map((r) => `${r.method} ${r.path.replace(/^\/3\.0/, '')}`);
    // The existing tag is found whatever its case; the other is created; 520 addresses take 2 calls.
    expect(sent.filter((r) => r === `GET /lists/${listId}/segments`)).toHaveLength(1);
    expect(sent.filter((r) => r === `POST /lists/${listId}/segments`)).toHaveLength(1);
    expect(sent.filter((r) => /\/segments\/\d+$/.test(r))).toHaveLength(3);
    expect(sim.state.member(listId, emails[519]!)?.tags).toEqual(['Group:RTL']);
    expect(sim.state.member(listId, emails[0]!)?.tags).toEqual(['Group:RTL', 'territory:EU']);
  });

  it('creates a tag a marketer deleted meanwhile again, and two workers creating one tag share it', async () => {
    const listId = sim.state.createList({ name: 'Churn' });
    const emails = Array.from({ length: 4 }, (_, i) => email(`c${i}`));
    for (const e of emails) sim.state.seedMember(listId, { email: e, status: 'subscribed' });
    const tags = client.tagSegments(listId);
    await tags.add('inactive', [emails[0]!]);
    const [first] = await segmentNamed(listId, 'inactive');
    await client.request('DELETE', `lists/${listId}/segments/${first!.id}`);
    await tags.add('inactive', [emails[1]!]);
    expect(sim.state.member(listId, emails[1]!)?.tags).toEqual(['inactive']);

    const [a, b] = [client.tagSegments(listId), client.tagSegments(listId)];
    await Promise.all([a.add('on-hold', [emails[2]!]), b.add('on-hold', [emails[3]!])]);
    expect(await segmentNamed(listId, 'on-hold')).toHaveLength(1);
    expect(sim.state.member(listId, emails[2]!)?.tags).toEqual(['on-hold']);
    expect(sim.state.member(listId, emails[3]!)?.tags).toEqual(['on-hold']);
  });
});
