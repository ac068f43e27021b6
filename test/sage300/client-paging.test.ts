import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { F } from '../../src/sage300/odata.js';
import { startPair } from './helpers.js';
import type { ARCustomer } from '../../src/sage300/schemas.js';

async function collect<T>(it: AsyncIterable<T[]>): Promise<{ rows: T[]; pages: number }> {
  const rows: T[] = [];
  let pages = 0;
  for await (const page of it) {
    pages++;
    rows.push(...page);
  }
  return { rows, pages };
}

describe('paging when the server caps $top at its PageSize', () => {
  let withLink: Awaited<ReturnType<typeof startPair>>;
  let silent: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    withLink = await startPair({ customers: 47, pageSize: 10, nextLink: true });
    silent = await startPair({ customers: 47, pageSize: 10, nextLink: false });
  });
  afterAll(async () => {
    await withLink.stop();
    await silent.stop();
  });

  it('caps $top silently and sends an absolute nextLink that keeps the query', async () => {
    const page = await withLink.client.getPage('customers', {
      filter: F.ne('CustomerNumber', 'X'),
      select: ['CustomerNumber'],
      top: 1000,
      count: true,
    });
    expect(page.records).toHaveLength(10);
    expect(page.count).toBe(47);
    const next = new URL(page.nextLink!);
    expect(next.origin + next.pathname).toBe(`${withLink.sim.baseUrl}/v1.0/-/SAMINC/AR/ARCustomers`);
    expect(next.searchParams.get('$filter')).toBe("CustomerNumber ne 'X'");
    expect(next.searchParams.get('$skip')).toBe('10');
    expect(next.searchParams.get('$top')).toBe('990');
    const second = await withLink.client.followNextLink('customers', page.nextLink!);
    expect(second.records[0]!.CustomerNumber).not.toBe(page.records[0]!.CustomerNumber);
  });

  it('sends no nextLink when $top is within the page size', async () => {
    const page = await withLink.client.getPage('customers', { top: 5 });
    expect(page.records).toHaveLength(5);
    expect(page.nextLink).toBeUndefined();
  });

  for (const paging of ['nextLink', 'keyset'] as const) {
    it(`reads every row once with ${paging} paging, with and without nextLink`, async () => {
      for (const pair of [withLink, silent]) {
        const expected = pair.sim.data.customers().map((c) => c.CustomerNumber);
        const { rows, pages } = await collect(pair.client.pages('customers', { paging, top: 1000 }));
        expect(rows.map((r) => r.CustomerNumber)).toEqual(expected);
        expect(pages).toBe(5);
      }
    });
  }

  it('keysetPage reports done only at the real end on a silently capping server', async () => {
    const first = await silent.client.keysetPage('customers', { top: 1000 });
    expect(first.records).toHaveLength(10);
    expect(first.done).toBe(false);
    const keys = first.records.map((r) => r.CustomerNumber);
    expect([...keys].sort()).toEqual(keys);
    let after = first.lastKey;
    let page = first;
    let n = first.records.length;
    while (!page.done) {
      page = await silent.client.keysetPage('customers', { after, top: 1000 });
      n += page.records.length;
      after = page.lastKey;
    }
    expect(n).toBe(47);
  });
});

describe('keyset paging under concurrent inserts', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    pair = await startPair({ customers: 40, pageSize: 7 });
  });
  afterAll(() => pair.stop());

  it('neither skips nor repeats rows when customers are added between pages', async () => {
    const original = pair.sim.data.customers().map((c) => c.CustomerNumber as string);
    const seen: string[] = [];
    const addedAfterCursor: string[] = [];
    let after: string | number | undefined;
    for (let added = 0; ; added++) {
      const page = await pair.client.keysetPage('customers', { after, top: 7 });
      seen.push(...page.records.map((c) => c.CustomerNumber));
      if (page.done) break;
      after = page.lastKey;
      // Between pages, one insert sorts before the cursor (already passed), one after it (still to come).
      pair.sim.data.addCustomer({ CustomerNumber: `0NEW${added}`, CustomerName: 'Early' });
      const late = `${String(after)}Z`;
      pair.sim.data.addCustomer({ CustomerNumber: late, CustomerName: 'Late' });
      addedAfterCursor.push(late);
    }
    expect(new Set(seen).size).toBe(seen.length);
    for (const key of original) expect(seen).toContain(key);
    expect(addedAfterCursor.length).toBeGreaterThan(3);
    for (const key of addedAfterCursor) expect(seen).toContain(key);
    expect(seen.filter((k) => k.startsWith('0NEW'))).toEqual([]);
  });

  it('pages() (which prefetches the next keyset page) stays exact while rows are inserted', async () => {
    const original = pair.sim.data.customers().map((c) => c.CustomerNumber as string);
    const seen: string[] = [];
    let n = 0;
    for await (const page of pair.client.pages('customers', { paging: 'keyset', top: 7 })) {
      seen.push(...page.map((c) => c.CustomerNumber));
      pair.sim.data.addCustomer({ CustomerNumber: `0MORE${n++}`, CustomerName: 'Early' });
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((k) => k.startsWith('0MORE'))).toEqual([]);
    for (const key of original) expect(seen).toContain(key);
  });

  it('$skip paging, by contrast, repeats a row when one is inserted before the cursor', async () => {
    const seen: string[] = [];
    let i = 0;
    for await (const page of pair.client.pages('customers', { paging: 'nextLink', top: 7 })) {
      seen.push(...page.map((c) => c.CustomerNumber));
      if (i++ === 0)
        pair.sim.data.addCustomer({ CustomerNumber: '00000', CustomerName: 'Shifts everything' });
    }
    expect(new Set(seen).size).toBeLessThan(seen.length);
  });
});

describe('filters, keys and schemas', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  beforeAll(async () => {
    pair = await startPair({ customers: 30, orders: 30, pageSize: 50 });
  });
  afterAll(() => pair.stop());

  it('finds customers edited today with a DateLastMaintained filter', async () => {
    const today = pair.sim.data.today();
    expect(today).toBe('2026-11-27T00:00:00Z');
    pair.sim.data.editCustomer('ZOE01', { PhoneNumber: '+33 4 00 00 00 00' });
    pair.sim.data.editCustomer('1200', { City: 'Ottawa' });
    pair.sim.data.editCustomer('HOLD01', { City: 'Wien' }, { touch: false });
    const { rows } = await collect(
      pair.client.pages('customers', { filter: F.ge('DateLastMaintained', new Date(today)) }),
    );
    expect(rows.map((r) => r.CustomerNumber).sort()).toEqual(['1200', 'ZOE01']);
    expect(rows.find((r) => r.CustomerNumber === '1200')!.City).toBe('Ottawa');
    const older = await pair.client.count('customers', F.lt('DateLastMaintained', new Date(today)));
    expect(older).toBe(28);
  });

  it("reads and filters a customer number containing a quote (O'NEIL01)", async () => {
    const byKey = await pair.client.getByKey('customers', "O'NEIL01");
    expect(byKey?.CustomerName).toBe("O'Neil & Daughters");
    const page = await pair.client.getPage('customers', { filter: F.eq('CustomerNumber', "O'NEIL01") });
    expect(page.records.map((r) => r.CustomerNumber)).toEqual(["O'NEIL01"]);
    const after = await pair.client.keysetPage('customers', { after: "O'NEIL01", top: 1 });
    expect(after.records[0]!.CustomerNumber > "O'NEIL01").toBe(true);
    expect(await pair.client.getByKey('customers', 'NOSUCH')).toBeUndefined();
  });

  it('trims padded strings, keeps null dates, drops unknown fields', async () => {
    const padded = (await pair.client.getByKey('customers', 'PADDED01')) as ARCustomer;
    expect(padded.CustomerName).toBe('Padded Name Co.');
    expect(padded.Email).toBe('padded@example.com');
    expect(padded.InactiveDate).toBeNull();
    expect(padded).not.toHaveProperty('CreditLimitCustomerCurrency');
    expect(padded).not.toHaveProperty('@odata.context');
  });

  it('reads orders with inline OrderDetails by uniquifier keyset, and selects fields', async () => {
    const { rows } = await collect(
      pair.client.pages('orders', { select: ['OrderUniquifier', 'OnHold', 'OrderDetails'] }),
    );
    expect(rows).toHaveLength(30);
    const keys = rows.map((o) => o.OrderUniquifier);
    expect([...keys].sort((a, b) => a - b)).toEqual(keys);
    expect(rows[0]).not.toHaveProperty('CustomerNumber');
    expect(rows[0]!.OrderDetails!.length).toBeGreaterThan(0);
    expect(rows[0]!.OrderDetails![0]!.LineNumber).toBe(32);
    const entered = pair.sim.data.enterOrder({
      CustomerNumber: "O'NEIL01",
      lines: [{ item: 'A11000', quantity: 4 }],
    });
    const fresh = await pair.client.keysetPage('orders', { after: keys[keys.length - 1] });
    expect(fresh.records.map((o) => o.OrderUniquifier)).toEqual([entered.OrderUniquifier]);
    pair.sim.data.completeOrder(entered.OrderUniquifier as number);
    const done = (await pair.client.getByKey('orders', entered.OrderUniquifier as number))!;
    expect(done.OrderCompleted).toBe('CompleteNotIncluded');
    expect(done.OrderCompletionDate).toBe('2026-11-27T00:00:00Z');
    expect(done.OrderDetails![0]).toMatchObject({
      QuantityOrdered: 0,
      OriginalQuantityOrdered: 4,
      DetailCompleted: 'Completed',
    });
  });

  it('keeps $selected fields the schema does not know, and drops unselected unknown ones', async () => {
    const page = await pair.client.getPage('orders', {
      select: ['OrderUniquifier', 'OrderSource', 'OrderOptionalFields'],
      top: 10,
    });
    expect(page.records[0]).toHaveProperty('OrderSource', 'Entered');
    const tagged = page.records.find((o) => (o.OrderOptionalFields ?? []).length > 0)!;
    expect(tagged.OrderOptionalFields![0]!.OptionalField).toBe('CAMPAIGN');
    const full = await pair.client.getPage('orders', { top: 1 });
    expect(full.records[0]).not.toHaveProperty('OrderSource');
  });

  it('sends a nextLink naming another host only to the configured base URL', async () => {
    const local = pair.clientFor({ baseUrl: pair.sim.baseUrl.replace('127.0.0.1', 'localhost') });
    const before = pair.sim.requestCount;
    const page = await local.followNextLink(
      'customers',
      'http://attacker.example:1/Sage300WebApi/v1.0/-/SAMINC/AR/ARCustomers?$select=CustomerNumber&$skip=5&$top=3',
    );
    expect(page.records).toHaveLength(3);
    expect(pair.sim.requestCount - before).toBe(1);
    await expect(
      local.followNextLink('customers', 'http://attacker.example/elsewhere?$skip=1'),
    ).rejects.toThrow(/outside the Web API/);
  });

  it('filters enums as quoted names and items by booleans', async () => {
    const quotes = await pair.client.count('orders', F.eq('OrderType', { enum: 'Quote' }));
    const all = await pair.client.count('orders');
    expect(quotes).toBeGreaterThan(0);
    const nonQuotes = await pair.client.count('orders', F.ne('OrderType', { enum: 'Quote' }));
    expect(quotes + nonQuotes).toBe(all);
    const items = await collect(
      pair.client.pages('items', { filter: F.and(F.eq('Status', true), F.eq('Sellable', true)) }),
    );
    expect(items.rows.every((i) => i.Status === true && i.Sellable === true)).toBe(true);
  });
});
