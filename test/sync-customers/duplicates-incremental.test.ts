import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { findDuplicates } from '../../src/domain/customers/duplicates.js';
import { syncedEmailIdentity, type CustomerFields } from '../../src/domain/customers/mapping.js';
import { customerKey } from '../../src/domain/customers/plan.js';
import { mappingSettings } from '../../src/domain/customers/settings.js';
import { readJobTrail } from '../../src/starter/audit.js';
import { startHarness, type SyncHarness } from './harness.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

type Row = Record<string, unknown>;

/**
 * Key -> winner for a job's duplicate skips, the keys it decided (not found unchanged: a record
 * the watermark already holds is not resolved again), and how many records it read.
 */
async function jobAnswer(h: SyncHarness, jobId: string) {
  const trail = await readJobTrail(h.t.client, jobId);
  const skips = new Map<string, string>();
  for (const r of trail.records) {
    const m = r.action === 'skipped' ? /^duplicate of (.+)$/.exec(r.reason ?? '') : null;
    if (m) skips.set(r.key, m[1]!);
  }
  const decided = trail.records.filter((r) => r.action !== 'unchanged').map((r) => r.key);
  return { skips, keys: new Set(decided), records: trail.records.length };
}

/** The rule over the whole company as it is now (the old algorithm), for the given keys. */
function fullAnswer(h: SyncHarness, keys: Iterable<string>): Map<string, string> {
  const settings = mappingSettings(h.config);
  const entries: Array<{ key: string; identity: string }> = [];
  for (const row of h.sage.data.customers()) {
    const identity = syncedEmailIdentity(row as unknown as CustomerFields, settings);
    if (identity) entries.push({ key: customerKey(row as unknown as CustomerFields), identity });
  }
  const { duplicateOf } = findDuplicates(entries);
  const out = new Map<string, string>();
  for (const k of keys) if (duplicateOf[k]) out.set(k, duplicateOf[k]);
  return out;
}

const key = (r: Row) => String(r.CustomerNumber);
const BACKDATED = '2025-01-15T00:00:00Z';

/** Generated customers with a plain valid address, active and not on hold. */
function plain(rows: Row[]): Row[] {
  return rows.filter(
    (r) =>
      /^C\d{6}$/.test(key(r)) &&
      /^[a-z0-9.]+@[a-z.-]+\.(com|ca|org|net)$/.test(String(r.Email)) &&
      r.Status === 'Active' &&
      r.OnHold === 'No',
  );
}

describe('an incremental run resolves shared emails as the full scan does (inactive and on-hold left out)', () => {
  let h: SyncHarness;
  /** Customers that exist before the first full run, maintained long ago (not re-read by incremental runs). */
  const crafted: Array<Row & { CustomerNumber: string }> = [
    // 90 customers keep one inbox in ContactsEmail behind valid addresses of their own: not sharers.
    ...Array.from({ length: 30 }, (_, i) => ({
      CustomerNumber: `A10VAL${String(i).padStart(2, '0')}`,
      Email: `val${i}@acme-supply.com`,
      ContactsEmail: 'pool.inbox@acme-supply.com',
    })),
    // The inbox's real owners: an unusable Email, so ContactsEmail is theirs.
    { CustomerNumber: 'A20INV', Email: 'n/a', ContactsEmail: ' Pool.Inbox@ACME-Supply.com ' },
    { CustomerNumber: 'A21INV', Email: '', ContactsEmail: 'pool.inbox@acme-supply.com' },
    ...Array.from({ length: 60 }, (_, i) => ({
      CustomerNumber: `B10VAL${String(i).padStart(2, '0')}`,
      Email: `b${i}@acme-supply.com`,
      ContactsEmail: 'pool.inbox@acme-supply.com',
    })),
    { CustomerNumber: 'A50JOANN', Email: 'joann@maple-shop.ca' }, // contains 'ann@maple-shop.ca'
    { CustomerNumber: 'A60INACT', Email: 'gone@x-corp.com', Status: 'Inactive' },
    { CustomerNumber: 'A70HOLD', Email: 'shop@y-corp.com', OnHold: 'Yes' },
    { CustomerNumber: 'A71ACT', Email: ' SHOP@Y-corp.com' },
    { CustomerNumber: 'A-80', Email: 'punct@z-corp.com' }, // a number some collations order apart
    // A valid-looking Email with a space inside is invalid: ContactsEmail is the address.
    { CustomerNumber: 'A94VALID', Email: 'ok@v-corp.com', ContactsEmail: 'subtle@v-corp.com' },
    { CustomerNumber: 'A95SUBTL', Email: 'first last@v-corp.com', ContactsEmail: 'subtle@v-corp.com' },
    { CustomerNumber: 'D90HIGH', Email: 'high.share@w-corp.com' },
  ];

  beforeAll(async () => {
    h = await startHarness({
      customers: 2000,
      vars: { SYNC_INCLUDE_INACTIVE: 'false', SYNC_INCLUDE_ON_HOLD: 'false' },
    });
    for (const c of crafted) {
      h.sage.data.addCustomer(c);
      h.sage.data.editCustomer(c.CustomerNumber, { DateLastMaintained: BACKDATED }, { touch: false });
    }
    await h.startWorker();
    await h.runJob({ full: true });
  });
  afterAll(async () => h?.stop());

  it('lower and higher sharers, ContactsEmail-only sharers, contains over-matching, case, spaces, exclusions', async () => {
    const rows = plain(h.sage.data.customers());
    const pick = (i: number) => rows[40 * i + 3]!;
    const [low, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10] = Array.from({ length: 11 }, (_, i) => pick(i));
    const edits: Array<[Row, Row]> = [
      [c1!, { Email: 'none', ContactsEmail: 'pool.inbox@acme-supply.com  ' }],
      [c2!, { Email: 'ann@maple-shop.ca' }],
      [c3!, { Email: 'Gone@X-Corp.com' }],
      [c4!, { Email: 'shop@y-corp.com' }],
      [c5!, { Email: 'PUNCT@z-corp.com ' }],
      [c6!, { Email: 'high.share@w-corp.com' }],
      [c7!, { Email: 'subtle@v-corp.com' }],
      [c8!, { Email: `  ${String(low!.Email).toUpperCase()}   ` }],
      [c9!, { Email: 'both.changed@u-corp.com' }],
      [c10!, { Email: ' Both.Changed@u-corp.com' }],
    ];
    for (const [r, patch] of edits) h.sage.data.editCustomer(key(r), patch);
    const before = h.sage.rowsServed.ARCustomers!;
    const jobId = `customers-${h.company}-20261127T060000Z-manual`;
    const result = await h.runJob({}, jobId);
    const read = h.sage.rowsServed.ARCustomers! - before;

    expect(result.fromDay).toBeDefined();
    const { skips, keys, records } = await jobAnswer(h, jobId);
    for (const [r] of edits) expect(keys.has(key(r))).toBe(true);
    expect(skips.get(key(c1!))).toBe('A20INV'); // not A10VAL00: its Email is its address
    expect(skips.has(key(c2!))).toBe(false); // joann@ is not ann@
    expect(skips.has(key(c3!))).toBe(false); // the inactive sharer is left out
    expect(skips.get(key(c4!))).toBe('A71ACT'); // the on-hold one is left out
    expect(skips.get(key(c5!))).toBe('A-80');
    expect(skips.has(key(c6!))).toBe(false); // D90HIGH is higher: c6 wins
    expect(skips.get(key(c7!))).toBe('A95SUBTL'); // not A94VALID
    expect(skips.get(key(c8!))).toBe(key(low!));
    expect(skips.get(key(c10!))).toBe(key(c9!));
    expect(skips.has(key(c9!))).toBe(false);
    expect(skips).toEqual(fullAnswer(h, keys));
    // The inbox's lookup stops at its first owner: the 60 customers after A20INV with the inbox
    // in ContactsEmail are not read (all 92 below c1 would be, and 60 more with the page's own
    // higher sharers). What remains: the run's own records, the 30 before A20INV, a lookup page.
    expect(read).toBeLessThan(records + 30 + 2 * 10 + 20);
  });

  it('with 2% of generated customers edited into and out of shared addresses, the same answer as the full scan', async () => {
    // Not the customers the previous test edited: one edited again into the same result would be
    // `unchanged` (the watermark holds it), not decided again.
    const today = h.sage.data.today();
    const rows = h.sage.data
      .customers()
      .filter((r) => /^C\d{6}$/.test(key(r)) && r.DateLastMaintained !== today);
    const pool = rows.map((r) => String(r.ContactsEmail)).filter((e) => /^[a-z]+@example\.[a-z.]+$/.test(e));
    const valid = plain(rows);
    const changed: string[] = [];
    for (let m = 0; 50 * m + 49 < rows.length; m++) {
      const r = rows[50 * m + ((m * 37) % 50)]!;
      // Mostly a lower customer's address (the edited one loses), sometimes a higher one's (it wins).
      const lower = valid.filter((v) => key(v) < key(r));
      const from = m % 4 !== 3 && lower.length > 0 ? lower : valid;
      const other = String(from[(m * 7919) % from.length]!.Email);
      const patches: Row[] = [
        { Email: ` ${other.toUpperCase()}` },
        { Email: 'n/a', ContactsEmail: pool[m % pool.length] },
        { Email: '', ContactsEmail: `${other}  ` },
        { Status: 'Inactive', Email: other },
        { OnHold: 'Yes', Email: other },
        { CustomerName: `${String(r.CustomerName)} (renamed)` },
      ];
      h.sage.data.editCustomer(key(r), patches[m % patches.length]!);
      changed.push(key(r));
    }
    const jobId = `customers-${h.company}-20261127T070000Z-manual`;
    await h.runJob({}, jobId);
    const { skips, keys } = await jobAnswer(h, jobId);
    for (const k of changed) expect(keys.has(k)).toBe(true);
    const want = fullAnswer(h, keys);
    expect(want.size).toBeGreaterThan(10); // the edits made shared addresses to resolve
    expect(skips).toEqual(want);

    // And the full scan (DuplicateScan) on the same data gives the old algorithm's answer.
    const fullJob = `customers-${h.company}-20261127T080000Z-manual`;
    await h.runJob({ full: true }, fullJob);
    const full = await jobAnswer(h, fullJob);
    expect(full.skips).toEqual(fullAnswer(h, full.keys));
  });
});
