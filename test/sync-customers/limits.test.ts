import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers } from './members.js';
import { readJobTrail } from '../../src/starter/audit.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

describe("customers: values fitted to Mailchimp's limits", () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startHarness({ customers: 12, sagePageSize: 10 });
    await h.startWorker();
  });
  afterAll(async () => h?.stop());

  it('a 100 KB company name, NUL, ESC and RLO go out cleaned, and the audit names each change', async () => {
    const [, { key }] = [...expectedMembers(h.sage.data.customers()).members][0]!;
    h.sage.data.patch('ARCustomers', key, {
      CustomerName: `Maple\u0000 Hardware ${'z'.repeat(100_000)}`,
      ContactName: '\u202EPriya\u001b Natarajan',
    });
    const jobId = `customers-${h.company}-20261127T150000Z-manual`;
    const result = await h.runJob({ full: true }, jobId);
    expect(result.status).toMatch(/^completed/);

    // The simulator refuses a text field over 255 characters, as Mailchimp does: it was written.
    const member = (await readMembers(h)).find((m) => m.merge_fields.SAGECUST === key)!;
    const company = member.merge_fields.COMPANY as string;
    expect([...company]).toHaveLength(255);
    expect(company.startsWith('Maple Hardware zzz')).toBe(true);
    expect(member.merge_fields.FNAME).toBe('Priya');
    const sent = Object.values(member.merge_fields)
      .filter((v) => typeof v === 'string')
      .join('|');
    for (const bad of ['\u0000', '\u001b', '\u202e']) expect(sent).not.toContain(bad);

    const record = (await readJobTrail(h.t.client, jobId)).records.find((r) => r.key === key)!;
    expect(record.action).toMatch(/^(created|updated)$/);
    expect(record.adjusted).toEqual([
      'FNAME: control or direction characters removed',
      'COMPANY: control or direction characters removed',
      'COMPANY truncated to 255',
    ]);
  });
});
