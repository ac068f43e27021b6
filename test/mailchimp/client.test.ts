import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MailchimpClient } from '../../src/mailchimp/client.js';
import { dataCenterFromApiKey } from '../../src/mailchimp/datacenter.js';
import {
  MailchimpAuthError,
  MailchimpRecordError,
  MailchimpRetryableError,
} from '../../src/mailchimp/errors.js';
import { subscriberHash } from '../../src/mailchimp/hash.js';
import type { MemberInput } from '../../src/mailchimp/types.js';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { testConfig } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';
import { email, FAST_RETRY, simClient, simConfig, sleep } from './helpers.js';

let sim: MailchimpSimulator;
let listId: string;

beforeAll(async () => {
  sim = await startMailchimpSimulator();
  listId = sim.state.createList({ name: 'Customers' });
});
afterAll(async () => {
  await sim.stop();
});

const member = (local: string, extra: Partial<MemberInput> = {}): MemberInput => ({
  email: email(local),
  statusIfNew: 'transactional',
  mergeFields: { FNAME: 'Priya', LNAME: local },
  ...extra,
});

describe('data center resolution', () => {
  it('takes the data center from the API key suffix and builds the default host from it', async () => {
    expect(dataCenterFromApiKey('0123abcd-us21')).toBe('us21');
    expect(() => dataCenterFromApiKey('0123abcd')).toThrow(MailchimpAuthError);
    expect(() => dataCenterFromApiKey('0123abcd-US6')).toThrow(/MAILCHIMP_API_KEY/);
    const client = await MailchimpClient.create(testConfig({ MAILCHIMP_API_KEY: '0123abcd-us21' }).mailchimp);
    expect(client.dataCenter).toBe('us21');
    expect(client.baseUrl).toBe('https://us21.api.mailchimp.com/3.0');
  });

  it('with MAILCHIMP_API_URL set, talks to that URL (the simulator)', async () => {
    const client = await simClient(sim);
    expect(client.dataCenter).toBe('us6');
    await expect(client.ping()).resolves.toEqual({ health_status: "Everything's Chimpy!" });
  });

  it('resolves an OAuth token through the metadata endpoint and calls the API with it', async () => {
    const config = testConfig({
      MAILCHIMP_OAUTH_TOKEN: sim.oauthToken,
      MAILCHIMP_OAUTH_METADATA_URL: sim.oauthMetadataUrl,
    }).mailchimp;
    const noOverride = await MailchimpClient.create(config);
    expect(noOverride.dataCenter).toBe(sim.dc);
    expect(noOverride.baseUrl).toBe(`https://${sim.dc}.api.mailchimp.com/3.0`);
    const client = await MailchimpClient.create({ ...config, apiUrl: sim.apiUrl });
    await expect(client.ping()).resolves.toEqual({ health_status: "Everything's Chimpy!" });
  });

  it('rejects a bad OAuth token although the metadata endpoint answers 200', async () => {
    const badToken = 'f'.repeat(32);
    const config = testConfig({
      MAILCHIMP_OAUTH_TOKEN: badToken,
      MAILCHIMP_OAUTH_METADATA_URL: sim.oauthMetadataUrl,
      MAILCHIMP_API_URL: sim.apiUrl,
    }).mailchimp;
    const err = await MailchimpClient.create(config).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailchimpAuthError);
    expect((err as Error).message).toMatch(/MAILCHIMP_OAUTH_TOKEN/);
    expect((err as Error).message).not.toContain(badToken);
  });
});

describe('members', () => {
  it('never changes an existing member status; a new member gets status_if_new', async () => {
    sim.state.seedMember(listId, { email: email('gone'), status: 'unsubscribed' });
    await sleep(1100); // Mailchimp timestamps have second precision: keep the seed and the upsert apart
    const client = await simClient(sim);
    const existing = await client.upsertMember(listId, member('gone', { statusIfNew: 'subscribed' }));
    expect(existing).toMatchObject({
      action: 'updated',
      status: 'unsubscribed',
      id: subscriberHash(email('gone')),
    });
    expect(sim.state.member(listId, email('gone'))?.status).toBe('unsubscribed');
    expect(sim.state.member(listId, email('gone'))?.mergeFields).toMatchObject({ LNAME: 'gone' });

    const created = await client.upsertMember(listId, member('fresh', { statusIfNew: 'subscribed' }));
    expect(created).toMatchObject({ action: 'created', status: 'subscribed' });
    await sleep(1100);
    const again = await client.upsertMember(
      listId,
      member('fresh', { mergeFields: { FNAME: 'P', LNAME: 'x' } }),
    );
    expect(again).toMatchObject({ action: 'updated', status: 'subscribed' });
  });

  it('reads the archived members once, 1,000 a page, with only their addresses', async () => {
    const list = sim.state.createList({ name: 'Archive' });
    for (let i = 0; i < 2100; i++) {
      sim.state.seedMember(list, { email: email(`a${i}`), status: i % 2 ? 'archived' : 'subscribed' });
    }
    const client = await simClient(sim);
    const before = sim.stats.requests;
    const archived = await client.archivedMembers(list);
    expect(sim.stats.requests - before).toBe(2);
    expect(archived.size).toBe(1050);
    expect(archived.has(email('a1'))).toBe(true);
    expect(archived.has(` ${email('A2099').toUpperCase()} `)).toBe(true);
    expect(archived.has(email('a2'))).toBe(false);
    expect(archived.has(email('nobody'))).toBe(false);
    expect((await client.archivedMembers(sim.state.createList())).size).toBe(0);
  });

  it('hashes the trimmed, lower-cased address', async () => {
    const client = await simClient(sim);
    const r = await client.upsertMember(listId, member('x', { email: '  Mixed.Case@MapleHardware.com ' }));
    expect(r.id).toBe(subscriberHash('mixed.case@maplehardware.com'));
    expect((await client.getMember(listId, 'mixed.case@maplehardware.com'))?.email_address).toBe(
      'mixed.case@maplehardware.com',
    );
  });

  it('applies tags on create in the PUT, on existing members through the tags endpoint; steady state is one request', async () => {
    const client = await simClient(sim);
    let before = sim.stats.requests;
    const created = await client.upsertMember(listId, member('tagnew', { tags: ['Wholesale'] }));
    expect(created.tags).toEqual(['Wholesale']);
    expect(sim.stats.requests - before).toBe(1);

    sim.state.seedMember(listId, { email: email('tagold'), status: 'subscribed' });
    before = sim.stats.requests;
    const updated = await client.upsertMember(listId, member('tagold', { tags: ['Wholesale'] }));
    expect(updated.tags).toEqual(['Wholesale']);
    expect(sim.state.member(listId, email('tagold'))?.tags).toEqual(['Wholesale']);
    expect(sim.stats.requests - before).toBe(2);

    before = sim.stats.requests;
    await client.upsertMember(listId, member('tagold', { tags: ['Wholesale'] }));
    expect(sim.stats.requests - before).toBe(1);
  });

  it('creates missing merge fields once, before the first write (listed with paging)', async () => {
    const specs = [
      { tag: 'COMPANY', name: 'Company', type: 'text' as const },
      { tag: 'SAGEID', name: 'Sage customer', type: 'text' as const },
    ];
    const client = await simClient(sim, {}, specs);
    await client.upsertMember(listId, member('mf', { mergeFields: { FNAME: 'A', SAGEID: 'C100' } }));
    expect(sim.state.member(listId, email('mf'))?.mergeFields).toMatchObject({ SAGEID: 'C100' });
    await expect(client.ensureMergeFields(listId, specs)).resolves.toEqual([]);
    const page = await client.request<{ merge_fields: { tag: string }[] }>(
      'GET',
      `lists/${listId}/merge-fields`,
      {
        searchParams: { count: 1000 },
      },
    );
    expect(page.merge_fields.map((f) => f.tag)).toEqual(expect.arrayContaining(['COMPANY', 'SAGEID']));
  });

  it('reports a fake address as a permanent outcome in upsertMembers without throwing', async () => {
    const client = await simClient(sim);
    const outcomes = await client.upsertMembers(listId, [
      member('bulk1'),
      { ...member('x'), email: 'someone@nowhere.invalid' },
      { ...member('x'), email: 'not-an-address' },
      member('bulk2'),
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, false, true]);
    expect(outcomes[1]).toMatchObject({
      ok: false,
      email: 'someone@nowhere.invalid',
      error: { kind: 'permanent', status: 400, title: 'Invalid Resource' },
    });
    expect(outcomes[2]).toMatchObject({ ok: false, error: { kind: 'permanent' } });
    const direct = await client
      .upsertMember(listId, { ...member('x'), email: 'a@b.invalid' })
      .catch((e: unknown) => e);
    expect(direct).toBeInstanceOf(MailchimpRecordError);
  });

  it('absorbs injected 500s with retries', async () => {
    const client = await simClient(sim);
    const before = sim.stats.requests;
    sim.faults.set({ errorRate: 0.3, errorStatuses: [500, 502, 503] });
    try {
      const inputs = Array.from({ length: 20 }, (_, i) => member(`flaky${i}`));
      const outcomes = await client.upsertMembers(listId, inputs);
      expect(outcomes.filter((o) => !o.ok)).toEqual([]);
      expect(sim.stats.requests - before).toBeGreaterThan(20); // some requests were retried
    } finally {
      sim.faults.clear();
    }
    expect(sim.state.member(listId, email('flaky19'))).toBeDefined();
  });

  it('logs retries without the key or the address', async () => {
    const { logger, lines } = memoryLogger('debug');
    const client = await MailchimpClient.create(simConfig(sim), {
      logger,
      retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 5 },
    });
    sim.faults.set({ errorRate: 1, errorStatuses: [503] });
    try {
      const err = await client.upsertMember(listId, member('logged')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailchimpRetryableError);
      expect(err).toMatchObject({ status: 503, retryable: true });
    } finally {
      sim.faults.clear();
    }
    expect(lines.filter((l) => l.includes('retrying'))).toHaveLength(2);
    const all = lines.join('\n');
    expect(all).not.toContain(sim.apiKey);
    expect(all).not.toContain(email('logged'));
  });

  it('treats a timeout as retryable and gives up after the bounded number of tries', async () => {
    const client = await MailchimpClient.create(simConfig(sim, { MAILCHIMP_TIMEOUT_MS: '1000' }), {
      retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 10 },
    });
    const before = sim.stats.requests;
    sim.faults.set({ latencyMs: 2500 });
    try {
      const err = await client.ping().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MailchimpRetryableError);
      expect(err).toMatchObject({ code: 'ETIMEDOUT', retryable: true });
      expect(sim.stats.requests - before).toBe(2);
    } finally {
      sim.faults.clear();
    }
  });

  it('raises MailchimpAuthError for a 401, naming the setting but never the key', async () => {
    const wrongKey = `${'0'.repeat(32)}-us6`;
    const client = await simClient(sim, { MAILCHIMP_API_KEY: wrongKey });
    const err = await client.ping().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MailchimpAuthError);
    expect(err).toMatchObject({ status: 401, title: 'API Key Invalid' });
    expect((err as Error).message).toMatch(/MAILCHIMP_API_KEY/);
    expect((err as Error).message).not.toContain(wrongKey);
    await expect(client.upsertMembers(listId, [member('auth1'), member('auth2')])).rejects.toBeInstanceOf(
      MailchimpAuthError,
    );
  });
});

describe('connection limit', () => {
  let busy: MailchimpSimulator;
  let busyList: string;
  beforeAll(async () => {
    busy = await startMailchimpSimulator({ latencyMs: 40, maxConnections: 10 });
    busyList = busy.state.createList();
  });
  afterAll(async () => {
    await busy.stop();
  });

  it('the simulator really answers 429 beyond 10 simultaneous requests (so the next test means something)', async () => {
    const auth = `Basic ${Buffer.from(`x:${busy.apiKey}`).toString('base64')}`;
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () =>
        fetch(`${busy.apiUrl}/ping`, { headers: { authorization: auth } }).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  });

  it('two clients with the same key share one limiter: 40 upserts at once, at most 10 in flight, all succeed', async () => {
    busy.stats.maxConcurrent = 0;
    busy.stats.rejected429 = 0;
    const vars = { MAILCHIMP_MAX_CONNECTIONS: '10' };
    const [a, b] = await Promise.all([simClient(busy, vars), simClient(busy, vars)]);
    const inputs = Array.from({ length: 40 }, (_, i) => member(`burst${i}`));
    const results = await Promise.all(
      inputs.map((m, i) => ((i % 2 === 0 ? a : b) as MailchimpClient).upsertMember(busyList, m)),
    );
    expect(results.every((r) => r.action === 'created')).toBe(true);
    expect(busy.stats.maxConcurrent).toBeLessThanOrEqual(10);
    expect(busy.stats.rejected429).toBe(0);
    expect(busy.state.members(busyList).filter((m) => m.email.startsWith('burst'))).toHaveLength(40);
  });

  it('absorbs 429s when Mailchimp allows fewer connections than configured', async () => {
    busy.settings.maxConnections = 3;
    busy.stats.rejected429 = 0;
    try {
      const client = await MailchimpClient.create(simConfig(busy, { MAILCHIMP_MAX_CONNECTIONS: '10' }), {
        retry: { ...FAST_RETRY, maxAttempts: 10 },
      });
      const outcomes = await client.upsertMembers(
        busyList,
        Array.from({ length: 20 }, (_, i) => member(`squeeze${i}`)),
      );
      expect(outcomes.filter((o) => !o.ok)).toEqual([]);
      expect(busy.stats.rejected429).toBeGreaterThan(0);
    } finally {
      busy.settings.maxConnections = 10;
    }
  });
});
