import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DEFAULT_BULK_PER_MEMBER_MS,
  startMailchimpSimulator,
  type MailchimpSimulator,
} from '../../simulators/mailchimp/index.js';
import { apiCaller } from './http.js';

const LATENCY_MS = 5;
const PER_MEMBER_MS = 1;

const members = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => ({ email_address: `${prefix}${i}@acme.io`, status: 'subscribed' }));

describe('Mailchimp simulator: the cost of bulk calls', () => {
  let sim: MailchimpSimulator;
  let call: ReturnType<typeof apiCaller>;
  let list: string;
  const costOf = (path: string) => sim.stats.log!.filter((e) => e.path === `/3.0${path}`).at(-1)!.costMs;

  beforeAll(async () => {
    sim = await startMailchimpSimulator({ latencyMs: LATENCY_MS, bulkPerMemberMs: PER_MEMBER_MS });
    call = apiCaller(sim);
    list = sim.state.createList();
  });
  afterAll(() => sim.stop());

  it('defaults to the documented per-member time', async () => {
    const plain = await startMailchimpSimulator();
    try {
      expect(plain.settings.bulkPerMemberMs).toBe(DEFAULT_BULK_PER_MEMBER_MS);
    } finally {
      await plain.stop();
    }
  });

  it('charges a 500-member batch subscribe the fixed latency plus 500 times the per-member time', async () => {
    const before = { members: sim.stats.bulkMembers, ms: sim.stats.bulkCostMs };
    const started = performance.now();
    const res = await call('POST', `/lists/${list}`, { members: members(500, 'a') });
    const elapsed = performance.now() - started;
    expect(res.body).toMatchObject({ total_created: 500 });
    expect(costOf(`/lists/${list}`)).toBe(LATENCY_MS + 500 * PER_MEMBER_MS);
    expect(sim.stats.bulkMembers - before.members).toBe(500);
    expect(sim.stats.bulkCostMs - before.ms).toBe(500 * PER_MEMBER_MS);
    // A lower bound only (a loaded machine makes it longer, never shorter); 1 ms of timer rounding allowed.
    expect(elapsed).toBeGreaterThanOrEqual(LATENCY_MS + 500 * PER_MEMBER_MS - 1);

    // Cost grows with the members carried: one member costs less than 500, and errors are charged too.
    await call('POST', `/lists/${list}`, { members: members(1, 'a') });
    expect(costOf(`/lists/${list}`)).toBe(LATENCY_MS + PER_MEMBER_MS);
    // A refused over-cap call did no per-member work.
    await call('POST', `/lists/${list}`, { members: members(501, 'b') });
    expect(costOf(`/lists/${list}`)).toBe(LATENCY_MS);
  });

  it('charges static segment members_to_add and members_to_remove per member', async () => {
    const seg = await call<{ id: number }>('POST', `/lists/${list}/segments`, {
      name: 'Cost',
      static_segment: [],
    });
    expect(costOf(`/lists/${list}/segments`)).toBe(LATENCY_MS);
    const emails = members(300, 'a').map((m) => m.email_address);
    await call('POST', `/lists/${list}/segments/${seg.body.id}`, {
      members_to_add: emails,
      members_to_remove: emails.slice(0, 200),
    });
    expect(costOf(`/lists/${list}/segments/${seg.body.id}`)).toBe(LATENCY_MS + 500 * PER_MEMBER_MS);
    // A call outside the bulk endpoints keeps the plain per-request latency.
    await call('GET', `/lists/${list}/segments/${seg.body.id}`);
    expect(costOf(`/lists/${list}/segments/${seg.body.id}`)).toBe(LATENCY_MS);
  });

  it('holds the connection slot for the per-member time, under the connection cap', async () => {
    const capped = await startMailchimpSimulator({ maxConnections: 1, bulkPerMemberMs: 2 });
    try {
      const capCall = apiCaller(capped);
      const capList = capped.state.createList();
      const bulk = capCall('POST', `/lists/${capList}`, { members: members(500, 'c') });
      // The bulk call is accounted once its members are applied, before its per-member time runs.
      while (capped.stats.bulkMembers < 500) await new Promise((r) => setTimeout(r, 5));
      const meanwhile = await capCall('GET', '/ping');
      expect(meanwhile.status).toBe(429);
      expect((await bulk).status).toBe(200);
      expect((await capCall('GET', '/ping')).status).toBe(200);
    } finally {
      await capped.stop();
    }
  });
});
