import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { CUSTOMER_OWNED_TAGS } from '../../src/domain/customers/mapping.js';
import { email, simClient } from './helpers.js';

describe('tags the connector owns', () => {
  let sim: MailchimpSimulator;
  let listId: string;
  beforeAll(async () => {
    sim = await startMailchimpSimulator();
    listId = sim.state.createList({ name: 'Owned tags' });
  });
  afterAll(async () => sim?.stop());

  const tagsOf = async (address: string) => {
    const client = await simClient(sim);
    return ((await client.getMember(listId, address))?.tags ?? []).map((t) => t.name).sort();
  };

  it('removes a stale connector tag (a reactivated customer loses `inactive`) and keeps a marketer tag', async () => {
    const client = await simClient(sim);
    const address = email('reactivated');
    const base = {
      email: address,
      statusIfNew: 'transactional' as const,
      mergeFields: {},
      ownedTags: CUSTOMER_OWNED_TAGS,
    };
    await client.upsertMember(listId, { ...base, tags: ['group:RTL', 'inactive'] });
    await client.setMemberTags(listId, address, [{ name: 'VIP', status: 'active' }]);
    expect(await tagsOf(address)).toEqual(['VIP', 'group:RTL', 'inactive']);

    // Reactivated in Sage and moved to another group.
    const result = await client.upsertMember(listId, { ...base, tags: ['group:WHS'] });
    expect(result.tags.sort()).toEqual(['VIP', 'group:WHS']);
    expect(await tagsOf(address)).toEqual(['VIP', 'group:WHS']);
  });

  it('without ownedTags, never removes a tag', async () => {
    const client = await simClient(sim);
    const address = email('legacy');
    await client.upsertMember(listId, {
      email: address,
      statusIfNew: 'transactional',
      mergeFields: {},
      tags: ['inactive'],
    });
    await client.upsertMember(listId, {
      email: address,
      statusIfNew: 'transactional',
      mergeFields: {},
      tags: [],
    });
    expect(await tagsOf(address)).toEqual(['inactive']);
  });
});
