import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.js';
import { duplicatesAmong } from '../../src/domain/customers/duplicates.js';
import { readJobTrail } from '../../src/starter/audit.js';
import { createTestWorker, testServerAddress } from '../helpers/temporal.js';
import { memoryLogger } from '../helpers/logger.js';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { readMembers } from './members.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(240_000);

type Row = Record<string, unknown>;

/** Key -> winner of every record a job skipped as a duplicate. */
async function duplicateSkips(h: SyncHarness, jobId: string): Promise<Map<string, string>> {
  const trail = await readJobTrail(h.t.client, jobId);
  const out = new Map<string, string>();
  for (const r of trail.records) {
    const m = r.action === 'skipped' ? /^duplicate of (.+)$/.exec(r.reason ?? '') : null;
    if (m) out.set(r.key, m[1]!);
  }
  return out;
}

const swapCase = (s: string) =>
  [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');

/** Two generated customers with plain valid addresses, the first with the lower number. */
function pairs(rows: Row[], count: number): Array<[Row, Row]> {
  const plain = rows.filter(
    (r) =>
      /^C\d{6}$/.test(String(r.CustomerNumber)) &&
      /^[a-z0-9.]+@[a-z.-]+\.(com|ca|org|net)$/.test(String(r.Email)) &&
      r.Status === 'Active' &&
      r.OnHold === 'No',
  );
  const out: Array<[Row, Row]> = [];
  for (let i = 0; i + 1 < plain.length && out.length < count; i += 7) out.push([plain[i]!, plain[i + 1]!]);
  return out;
}

const key = (r: Row) => String(r.CustomerNumber);
const email = (r: Row) => String(r.Email).trim().toLowerCase();

describe('duplicatesAmong: the rule decided for one page, given the customers sharing its addresses', () => {
  it('a lower sharer wins, a higher one loses, and only page records are answered for', () => {
    const page = [
      { key: 'C200', identity: 'a@x.com' },
      { key: 'C300', identity: 'b@x.com' },
      { key: 'C301', identity: 'b@x.com' },
    ];
    const others = [
      { key: 'C100', identity: 'a@x.com' },
      { key: 'C900', identity: 'b@x.com' },
      { key: 'C050', identity: 'c@x.com' }, // an address no page record uses
    ];
    expect(duplicatesAmong(page, others)).toEqual({ C200: 'C100', C301: 'C300' });
  });

  it("a page record's identity is the one the page read, whatever a later lookup returned for it", () => {
    const page = [
      { key: 'C200', identity: 'a@x.com' },
      { key: 'C300', identity: 'b@x.com' },
    ];
    expect(duplicatesAmong(page, [{ key: 'C200', identity: 'b@x.com' }])).toEqual({});
  });
});

describe('shared emails resolved by asking Sage, page by page', () => {
  let h: SyncHarness;
  let first: Awaited<ReturnType<SyncHarness['startWorker']>>;
  let fullJob: string;
  beforeAll(async () => {
    h = await startHarness({ customers: 400 });
    // Sharers Sage stores differently from the address they share.
    const d = h.sage.data;
    d.addCustomer({ CustomerNumber: 'A00SHARE', Email: ' SHARED@TWINPEAKS.COM' }); // wins over DUPE01/02
    d.addCustomer({ CustomerNumber: 'ZZSHARE1', Email: 'n/a', ContactsEmail: 'zoe.dubois@EXAMPLE.fr  ' });
    d.addCustomer({
      CustomerNumber: 'B00NOTSHR',
      Email: 'other.person@example.com',
      ContactsEmail: 'ap@maplehw.ca',
    });
    d.addCustomer({ CustomerNumber: 'C00SUPER', Email: 'xap@maplehw.ca' });
    d.addCustomer({ CustomerNumber: 'DARCY1', Email: "d'arcy@example.com" });
    d.addCustomer({ CustomerNumber: 'DARCY2', Email: "  D'Arcy@Example.com" });
    first = await h.startWorker();
    fullJob = `customers-${h.company}-20261127T010000Z-manual`;
    await h.runJob({ full: true }, fullJob);
  });
  afterAll(async () => h?.stop());

  it('a replay on a fresh worker (nothing cached) finds the same duplicates as the full scan', async () => {
    const rows = h.sage.data.customers();
    const fromScan = await duplicateSkips(h, fullJob);
    expect(fromScan).toEqual(expectedMembers(rows).duplicates);
    expect(fromScan.get('DUPE01')).toBe('A00SHARE');
    expect(fromScan.get('ZZSHARE1')).toBe('ZOE01');
    expect(fromScan.get('DARCY2')).toBe('DARCY1');
    expect(fromScan.has('B00NOTSHR')).toBe(false);

    // A fresh worker: its pages have no company map, so each one asks Sage about its own addresses.
    first.worker.shutdown();
    await first.running;
    await h.startWorker();
    const replay = `customers-${h.company}-20261127T020000Z-replay`;
    const before = h.sage.rowsServed.ARCustomers!;
    const result = await h.runJob({ keys: h.sage.data.customers().map(key) }, replay);
    expect(result.counts.read).toBe(rows.length);
    expect(await duplicateSkips(h, replay)).toEqual(fromScan);
    // Read by key (one row each) plus the lookups' sharers: never a second pass over the table.
    expect(h.sage.rowsServed.ARCustomers! - before).toBeLessThan(rows.length * 1.2);
  });

  it('a full job spread over two workers finds the same duplicates', async () => {
    // A second worker on the task queue needs a connection of its own.
    const connection = await NativeConnection.connect({ address: testServerAddress() });
    const { logger } = memoryLogger('warn');
    const activities = createActivities({
      config: h.config,
      logger,
      version: 'test',
      temporalClient: h.t.client,
    });
    const second = await createTestWorker({ ...h.t, nativeConnection: connection }, activities);
    const running = second.run();
    const jobId = `customers-${h.company}-20261127T021000Z-manual`;
    await h.runJob({ full: true, pageSize: 50 }, jobId);
    second.shutdown();
    await running;
    await connection.close();
    expect(await duplicateSkips(h, jobId)).toEqual(expectedMembers(h.sage.data.customers()).duplicates);
  });
});

describe('an incremental run', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await startHarness({ customers: 2000 });
    await h.startWorker();
    await h.runJob({ full: true });
  });
  afterAll(async () => h?.stop());

  it('skips a changed customer sharing an unchanged lower number’s address, and lets a lower one win', async () => {
    const rows = h.sage.data.customers();
    const [[low, high], [, high2], [low3, high3]] = pairs(rows, 3) as [[Row, Row], [Row, Row], [Row, Row]];
    // Changed after the full run, each written the way Sage keeps what people type.
    h.sage.data.editCustomer(key(high), { Email: `  ${swapCase(String(low.Email))}` });
    // New in Sage (no member of its own yet), with a lower number than the address's owner.
    const low2 = h.sage.data.addCustomer({
      CustomerNumber: 'A0NEW',
      Email: `${String(high2.Email).toUpperCase()}   `,
    });
    h.sage.data.editCustomer(key(high3), { Email: '', ContactsEmail: ` ${String(low3.Email)}` });
    const before = h.sage.rowsServed.ARCustomers!;
    const jobId = `customers-${h.company}-20261127T030000Z-manual`;
    const result = await h.runJob({}, jobId);

    expect(result.fromDay).toBeDefined();
    const skips = await duplicateSkips(h, jobId);
    expect(skips.get(key(high))).toBe(key(low));
    expect(skips.get(key(high3))).toBe(key(low3));
    expect(skips.has(key(low2))).toBe(false);
    const members = await readMembers(h);
    const owner = (address: string) =>
      members.find((m) => m.email_address === address)?.merge_fields.SAGECUST;
    expect(owner(email(low))).toBe(key(low));
    expect(owner(email(low3))).toBe(key(low3));
    expect(owner(email(high2))).toBe(key(low2)); // the lower number now owns the address
    // What the run read from Sage follows what changed, not the 2,000 customers.
    expect(h.sage.rowsServed.ARCustomers! - before).toBeLessThan(40);
  });

  it('with 1% of the customers changed reads at most 2% of the rows (plus a constant)', async () => {
    const rows = h.sage.data.customers();
    const changed = rows.filter((_, i) => i % 100 === 37);
    expect(changed.length).toBe(Math.round(rows.length / 100));
    for (const r of changed)
      h.sage.data.editCustomer(key(r), { CustomerName: `${String(r.CustomerName)} Ltd` });
    const before = h.sage.rowsServed.ARCustomers!;
    const result = await h.runJob({});
    const read = h.sage.rowsServed.ARCustomers! - before;
    expect(result.counts.read).toBeGreaterThanOrEqual(changed.length);
    expect(read).toBeLessThanOrEqual(0.02 * rows.length + 10);
  });
});

describe('on a database with a binary (case-sensitive) collation', () => {
  it('falls back to reading every address once per job, and stays exact', async () => {
    const h = await startHarness({ customers: 300, sage: { collation: 'binary' } });
    try {
      await h.startWorker();
      await h.runJob({ full: true });
      const rows = h.sage.data.customers();
      const [[low, high]] = pairs(rows, 1) as [[Row, Row]];
      h.sage.data.editCustomer(key(high), { Email: swapCase(String(low.Email)) });
      // Something the run writes (a job whose only writes all failed would fail).
      h.sage.data.editCustomer(key(pairs(rows, 2)[1]![0]), { ContactName: 'Ada Lovelace' });
      const before = h.sage.rowsServed.ARCustomers!;
      const jobId = `customers-${h.company}-20261127T040000Z-manual`;
      await h.runJob({}, jobId);
      expect((await duplicateSkips(h, jobId)).get(key(high))).toBe(key(low));
      expect(h.sage.rowsServed.ARCustomers! - before).toBeGreaterThanOrEqual(rows.length);
    } finally {
      await h.stop();
    }
  });
});
