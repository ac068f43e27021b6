import { describe, expect, it, jest } from '@jest/globals';
import { coveredPrefix } from '../../src/domain/customers/duplicates.js';
import { startHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers } from './members.js';
import { readJobTrail } from '../../src/starter/audit.js';
import { ZERO_COUNTS } from '../../src/workflows/types.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

describe('coveredPrefix: the part of a page the duplicate map sent with it covers', () => {
  it('takes the page up to the first key above the limit', () => {
    expect(coveredPrefix(['A1', 'A2', 'B1', 'C1'], 'B1')).toBe(3);
    expect(coveredPrefix(['A1', 'A2'], 'B1')).toBe(2);
    expect(coveredPrefix(['C1', 'C2'], 'B1')).toBe(0);
    expect(coveredPrefix([], 'B1')).toBe(0);
  });

  it('stops at the first key beyond the limit even when a later key compares below it', () => {
    // Sage's collation (case-insensitive here) sorts 'a9' before 'B1'; JS compares 'a9' > 'B1'.
    // A filter would keep 'B0' and move the cursor to it: 'a9' would never be read again.
    expect(coveredPrefix(['A5', 'a9', 'B0', 'b5'], 'B0')).toBe(1);
  });
});

describe('a duplicate map larger than one page can carry (coverUntil)', () => {
  it('every customer is read once, the losers skipped, the winner written', async () => {
    const h = await startHarness({ customers: 10, sagePageSize: 100 });
    try {
      // 560 customers sharing one address: more losers than the 500 a page is sent.
      for (let i = 0; i < 560; i++) {
        h.sage.data.addCustomer({
          CustomerNumber: `DUPX${String(i).padStart(4, '0')}`,
          CustomerName: `Shared ${i}`,
          Email: 'shared.inbox@northwind-traders.com',
        });
      }
      await h.startWorker();
      const rows = h.sage.data.customers();
      const expected = expectedMembers(rows);
      const result = await h.runJob({ full: true, pageSize: 200 });
      expect(result.status).toBe('completed');
      expect(result.counts.read).toBe(rows.length);
      expect(result.counts.skipped).toBe(expected.skipped.size + expected.duplicates.size);
      expect(expected.duplicates.size).toBeGreaterThanOrEqual(559);
      const members = await readMembers(h);
      expect(members).toHaveLength(expected.members.size);
      expect(
        members.find((m) => m.email_address === 'shared.inbox@northwind-traders.com')?.merge_fields.SAGECUST,
      ).toBe('DUPX0000');
    } finally {
      await h.stop();
    }
  });

  it('a job continued from 0.1.0 code, the map in its carry, still takes its losers from that map', async () => {
    const h = await startHarness({ customers: 10, sagePageSize: 100 });
    try {
      for (let i = 0; i < 560; i++) {
        h.sage.data.addCustomer({
          CustomerNumber: `DUPX${String(i).padStart(4, '0')}`,
          CustomerName: `Shared ${i}`,
          Email: 'shared.inbox@northwind-traders.com',
        });
      }
      await h.startWorker();
      // The audience as the job's first run left it (a carried run does not prepare it again).
      await h.runJob({ keys: ['1200'] });
      const rows = h.sage.data.customers();
      const expected = expectedMembers(rows);
      // What 0.1.0's findDuplicateEmails put in history, plus one pair only the map knows of: the
      // pages must obey the map they are sent, not resolve the records themselves.
      const duplicateOf = { ...Object.fromEntries(expected.duplicates), YAMADA01: 'LUKASZ01' };
      const jobId = `customers-${h.company}-20261127T050000Z-manual`;
      const result = await h.runJob(
        {
          full: true,
          pageSize: 200,
          carry: {
            totals: ZERO_COUNTS,
            seen: { fingerprints: [] },
            pages: 0,
            runs: 1,
            startedAt: '2026-11-27T05:00:00.000Z',
            prepared: { duplicateOf, duplicateGroups: 2 },
          },
        },
        jobId,
      );
      expect(result.counts.read).toBe(rows.length);
      const skipped = (await readJobTrail(h.t.client, jobId)).records.filter((r) => r.action === 'skipped');
      expect(skipped.find((r) => r.key === 'YAMADA01')?.reason).toBe('duplicate of LUKASZ01');
      expect(skipped.filter((r) => r.reason === 'duplicate of DUPX0000')).toHaveLength(559);
      const members = await readMembers(h);
      expect(
        members.find((m) => m.email_address === 'shared.inbox@northwind-traders.com')?.merge_fields.SAGECUST,
      ).toBe('DUPX0000');
    } finally {
      await h.stop();
    }
  });
});
