import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers, type ApiMember } from './members.js';
import { readJobTrail, type AuditRecord } from '../../src/starter/audit.js';
import type { SyncJobResult } from '../../src/workflows/types.js';
import type { MemberStatus } from '../../simulators/mailchimp/index.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

/** What a member looks like after a run, in a form two audiences can be compared by. */
function audienceView(members: ApiMember[]) {
  return new Map(
    members.map((m) => [
      m.email_address.toLowerCase(),
      { status: m.status, mergeFields: m.merge_fields, tags: m.tags.map((t) => t.name).sort() },
    ]),
  );
}

/** Each record's outcome, without where in the job it was written (pages may split differently). */
function outcomes(records: AuditRecord[]) {
  return new Map(
    records.map((r) => [r.key, { action: r.action, reason: r.reason, status: r.status, email: r.email }]),
  );
}

describe('first load in bulk against the PUT path, on the same messy data', () => {
  let h: SyncHarness;
  let putList: string;
  const runs: Record<'bulk' | 'put', { result: SyncJobResult; records: AuditRecord[]; requests: string[] }> =
    {} as never;
  // Members that exist before the first sync, the same in both audiences.
  const seeded: Array<{ email: string; status: MemberStatus; tags?: string[] }> = [];
  let forgotten = '';

  beforeAll(async () => {
    // Two pages of new customers, each large enough that bulk costs fewer requests than PUTs.
    h = await startHarness({ customers: 90, sagePageSize: 45 });
    putList = h.mc.state.createList({ name: 'Customers (PUT path)' });
    const emails = [...expectedMembers(h.sage.data.customers()).members.keys()];
    seeded.push(
      // A marketer's tag stays; a connector tag that no longer applies is removed (PUT path rules).
      { email: emails[14]!, status: 'subscribed', tags: ['vip', 'group:OLD'] },
      { email: emails[20]!, status: 'unsubscribed' },
      { email: emails[31]!, status: 'cleaned' },
      { email: emails[47]!, status: 'archived' },
      { email: emails[60]!, status: 'unsubscribed', tags: ['trade-show'] },
    );
    forgotten = emails[52]!;
    for (const list of [h.listId, putList]) {
      for (const s of seeded) h.mc.state.seedMember(list, s);
      h.mc.state.forgetMember(list, forgotten);
    }

    const run = async (kind: 'bulk' | 'put', listId: string) => {
      const { worker, running } = await h.startWorker(
        { MAILCHIMP_LIST_ID: listId },
        kind === 'put' ? { bulkCreate: false } : {},
      );
      const jobId = `customers-${h.company}-20261127T0${kind === 'bulk' ? 8 : 9}0000Z-manual`;
      const logFrom = h.mc.stats.log?.length ?? 0;
      const result = await h.runJob({ full: true }, jobId);
      const requests = (h.mc.stats.log ?? [])
        .slice(logFrom)
        .filter((r) => r.path.includes(`/lists/${listId}`))
        .map((r) => `${r.method} ${r.path.replace(/^\/3\.0/, '')}`);
      worker.shutdown();
      await running;
      runs[kind] = { result, records: (await readJobTrail(h.t.client, jobId)).records, requests };
    };
    await run('bulk', h.listId);
    await run('put', putList);
  });
  afterAll(async () => h?.stop());

  it('the bulk run creates in bulk and tags through segments; the PUT run never does', () => {
    const bulk = runs.bulk.requests;
    const batchCalls = bulk.filter((r) => r === `POST /lists/${h.listId}`);
    expect(batchCalls.length).toBeGreaterThanOrEqual(2);
    expect(bulk.some((r) => /^POST \/lists\/[^/]+\/segments\/\d+$/.test(r))).toBe(true);
    expect(runs.put.requests.some((r) => r === `POST /lists/${putList}` || r.includes('/segments'))).toBe(
      false,
    );
    // A bulk call and a segment call per tag cost fewer requests than a PUT per new member.
    const writes = (requests: string[]) => requests.filter((r) => !r.startsWith('GET ')).length;
    expect(writes(bulk)).toBeLessThan(writes(runs.put.requests));
  });

  it('gives every record the same outcome: created, existing updated, refused with the same reason', () => {
    const bulk = outcomes(runs.bulk.records);
    const put = outcomes(runs.put.records);
    expect(bulk).toEqual(put);
    expect(runs.bulk.result.counts).toEqual(runs.put.result.counts);
    expect(runs.bulk.result.status).toBe('completed_with_failures');

    const expected = expectedMembers(h.sage.data.customers());
    const keyOf = (email: string) => expected.members.get(email)!.key;
    for (const s of seeded.filter((m) => m.status !== 'archived'))
      expect(bulk.get(keyOf(s.email))?.action).toBe('updated');
    expect(bulk.get(keyOf(seeded[3]!.email))).toMatchObject({
      action: 'skipped',
      reason: 'archived in Mailchimp',
    });
    expect(bulk.get(keyOf(forgotten))).toMatchObject({ action: 'failed', status: 400 });
    expect(bulk.get(keyOf(forgotten))?.reason).toMatch(/^Forgotten Email Not Subscribed: /);
    // A reserved (.example) domain: refused as fake, by the batch call and by the PUT alike.
    expect(bulk.get('HOLD01')).toMatchObject({ action: 'failed', status: 400 });
    expect(bulk.get('HOLD01')?.reason).toMatch(/^Invalid Resource: .*looks fake or invalid/);
    expect(bulk.get('DUPE02')).toMatchObject({ action: 'skipped', reason: 'duplicate of DUPE01' });
    expect(bulk.get('YAMADA01')?.action).toBe('created');
    const created = runs.bulk.records.filter((r) => r.action === 'created').length;
    expect(created).toBeGreaterThan(60);
  });

  it('leaves the same audience: statuses, merge fields and tags, and no existing status changed', async () => {
    const bulk = audienceView(await readMembers(h));
    const put = audienceView(await readMembers({ ...h, listId: putList }));
    expect(bulk).toEqual(put);
    for (const s of seeded) expect(bulk.get(s.email)?.status).toBe(s.status);
    expect(bulk.get(seeded[0]!.email)?.tags).toEqual(expect.arrayContaining(['vip']));
    expect(bulk.get(seeded[0]!.email)?.tags).not.toContain('group:OLD');
    expect(bulk.get(seeded[4]!.email)?.tags).toEqual(expect.arrayContaining(['trade-show']));
    expect(bulk.has(forgotten)).toBe(false);
    const rows = h.sage.data.customers();
    const yamada = [...bulk.values()].find((m) => m.mergeFields.SAGECUST === 'YAMADA01');
    expect(yamada?.mergeFields.COMPANY).toBe(rows.find((r) => r.CustomerNumber === 'YAMADA01')?.CustomerName);
    // Every created member carries its group and territory tags, as the PUT path gives them.
    for (const [email, m] of bulk) {
      if (seeded.some((s) => s.email === email)) continue;
      expect(m.tags.some((t) => t.startsWith('group:'))).toBe(true);
      expect(m.status).toBe('transactional');
    }
  });
});
