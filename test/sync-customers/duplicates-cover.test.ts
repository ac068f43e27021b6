import { describe, expect, it, jest } from '@jest/globals';
import { coveredPrefix } from '../../src/domain/customers/duplicates.js';
import { startHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers } from './members.js';

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
});
