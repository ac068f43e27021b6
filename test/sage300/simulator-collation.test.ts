import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { evaluate, parseFilter, type PropType } from '../../simulators/sage300/filter-parser.js';
import { startSage300Simulator, type Sage300Simulator } from '../../simulators/sage300/index.js';

const props = new Map<string, PropType>([
  ['CustomerNumber', 'string'],
  ['Email', 'string'],
]);
const row = { CustomerNumber: 'ZOE01', Email: '  Zoe.Dubois@Example.FR  ' };
const matches = (text: string, collation: 'ci' | 'binary') =>
  evaluate(parseFilter(text, props, 'ARCustomer'), row, collation);

describe('string comparison follows the database collation', () => {
  it('ci (SQL Server default): eq/ne/contains ignore case; eq ignores trailing, not leading, spaces', () => {
    expect(matches("Email eq '  zoe.dubois@example.fr'", 'ci')).toBe(true);
    expect(matches("Email ne '  ZOE.DUBOIS@EXAMPLE.FR'", 'ci')).toBe(false);
    expect(matches("Email eq 'zoe.dubois@example.fr'", 'ci')).toBe(false);
    expect(matches("contains(Email,'zoe.dubois@example.fr')", 'ci')).toBe(true);
    expect(matches("startswith(CustomerNumber,'zoe')", 'ci')).toBe(true);
  });

  it('binary (a database moved from Pervasive): case counts, trailing spaces still do not', () => {
    expect(matches("Email eq '  Zoe.Dubois@Example.FR'", 'binary')).toBe(true);
    expect(matches("Email eq '  zoe.dubois@example.fr'", 'binary')).toBe(false);
    expect(matches("contains(Email,'zoe.dubois@example.fr')", 'binary')).toBe(false);
    expect(matches("contains(Email,'Zoe.Dubois@Example.FR')", 'binary')).toBe(true);
  });

  it('orders ordinally in both (the order keys are served in)', () => {
    expect(matches("CustomerNumber gt 'ZOE00'", 'ci')).toBe(true);
    expect(matches("CustomerNumber gt 'a'", 'ci')).toBe(false);
  });
});

describe('Sage 300 simulator: address lookups, rows served, query-string limit', () => {
  let sim: Sage300Simulator;
  let auth: string;
  const ar = async (query: string) => {
    const res = await fetch(`${sim.baseUrl}/v1.0/-/SAMINC/AR/ARCustomers?${query}`, {
      headers: { authorization: auth },
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      rows: res.ok ? (JSON.parse(text).value as Record<string, string>[]) : [],
    };
  };
  const filter = (f: string) => `$filter=${encodeURIComponent(f)}&$select=CustomerNumber,Email`;

  beforeAll(async () => {
    sim = await startSage300Simulator({ seed: 7, customers: 2000, today: '2026-11-27', pageSize: 1000 });
    auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
  });
  afterAll(() => sim.stop());

  it('finds a padded, mixed-case address by contains, and sees a row edited after the first lookup', async () => {
    const first = await ar(filter("contains(Email,'zoe.dubois@example.fr')"));
    expect(first.rows.map((r) => r.CustomerNumber)).toEqual(['ZOE01']);
    sim.data.editCustomer('C000100', { Email: 'ZOE.DUBOIS@example.fr ' });
    sim.data.addCustomer({ CustomerNumber: 'A0001', Email: ' zoe.dubois@EXAMPLE.fr' });
    const again = await ar(filter("contains(Email,'zoe.dubois@example.fr')"));
    expect(again.rows.map((r) => r.CustomerNumber)).toEqual(['A0001', 'C000100', 'ZOE01']);
    // The rows come whole from the table, not from the narrow copy the filter ran on.
    const full = await ar(`$filter=${encodeURIComponent("CustomerNumber eq 'A0001'")}`);
    expect(full.rows[0]).toMatchObject({ CustomerNumber: 'A0001', Status: 'Active' });
  });

  it('counts the rows it serves per entity set', async () => {
    const before = sim.rowsServed.ARCustomers!;
    const r = await ar('$top=7&$select=CustomerNumber');
    expect(r.rows).toHaveLength(7);
    expect(sim.rowsServed.ARCustomers).toBe(before + 7);
  });

  it("refuses a query string over IIS's maxQueryString (2048) with 404.15", async () => {
    const long = Array.from({ length: 60 }, (_, i) => `Email eq 'someone${i}@example.com'`).join(' or ');
    const r = await ar(filter(long));
    expect(r.status).toBe(404);
    expect(r.text).toMatch(/404\.15/);
  });
});

describe('Sage 300 simulator with a binary collation', () => {
  it('matches addresses case-sensitively', async () => {
    const sim = await startSage300Simulator({ seed: 7, customers: 30, collation: 'binary' });
    try {
      const auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
      const find = async (email: string) => {
        const f = encodeURIComponent(`contains(Email,'${email}')`);
        const res = await fetch(`${sim.baseUrl}/v1.0/-/SAMINC/AR/ARCustomers?$filter=${f}`, {
          headers: { authorization: auth },
        });
        return ((await res.json()) as { value: unknown[] }).value.length;
      };
      expect(await find('Zoe.Dubois@Example.FR')).toBe(1);
      expect(await find('zoe.dubois@example.fr')).toBe(0);
    } finally {
      await sim.stop();
    }
  });
});
