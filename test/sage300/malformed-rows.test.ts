import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Sage300MalformedRecordError } from '../../src/sage300/errors.js';
import { isRealIsoDate } from '../../src/sage300/schemas.js';
import { startPair } from './helpers.js';

describe('strict dates', () => {
  it.each(['2025-03-14T00:00:00Z', '2024-02-29T00:00:00Z', '2025-03-14', '2025-03-14T23:59:59.123+02:00'])(
    'takes %s',
    (d) => expect(isRealIsoDate(d)).toBe(true),
  );

  // Date.parse takes the first two (as 3 March, and as some day in 2027) and the third in the local style.
  it.each([
    '2026-02-31T00:00:00Z',
    '2026-13-45T00:00:00Z',
    '31/12/2025',
    '2025-02-29',
    '2025-03-14T24:00:00Z',
    'Friday',
    '',
  ])('refuses %s', (d) => expect(isRealIsoDate(d)).toBe(false));
});

describe('a malformed row does not hide the rest of its page', () => {
  let pair: Awaited<ReturnType<typeof startPair>>;
  let keys: string[];
  beforeAll(async () => {
    pair = await startPair({ customers: 30, orders: 12, pageSize: 50 });
    keys = pair.sim.data.customers().map((c) => c.CustomerNumber as string);
  });
  afterAll(() => pair.stop());

  it('keysetPage returns the valid rows, names each bad one by key and field, and moves past the last row', async () => {
    const [middle, last] = [keys[3]!, keys[9]!];
    pair.sim.data.patch('ARCustomers', middle, { DateLastMaintained: '31/12/2025' });
    pair.sim.data.patch('ARCustomers', last, { StartDate: '2026-02-31T00:00:00Z' });
    try {
      const page = await pair.client.keysetPage('customers', { top: 10 });
      expect(page.records.map((r) => r.CustomerNumber)).toEqual(
        keys.slice(0, 10).filter((k) => k !== middle && k !== last),
      );
      expect(page.invalid).toEqual([
        { key: middle, field: 'DateLastMaintained', problem: 'not a real date' },
        { key: last, field: 'StartDate', problem: 'not a real date' },
      ]);
      // The cursor comes from the raw rows: the bad last row is not read again by the next page.
      expect(page.lastKey).toBe(last);
      expect(page.done).toBe(false);
      const next = await pair.client.keysetPage('customers', { after: page.lastKey, top: 10 });
      expect(next.records[0]!.CustomerNumber).toBe(keys[10]);

      // pages() streams every valid row once and leaves the bad ones out.
      const seen: string[] = [];
      for await (const rows of pair.client.pages('customers', { top: 7 }))
        seen.push(...rows.map((r) => r.CustomerNumber));
      expect(seen).toEqual(keys.filter((k) => k !== middle && k !== last));
    } finally {
      pair.sim.data.patch('ARCustomers', middle, { DateLastMaintained: '2026-11-01T00:00:00Z' });
      pair.sim.data.patch('ARCustomers', last, { StartDate: '2020-01-01T00:00:00Z' });
    }
  });

  it('getByKey throws a non-retryable error carrying the key and field; fixed in Sage, it reads', async () => {
    const order = pair.sim.data.orders()[2]!;
    const key = order.OrderUniquifier as number;
    pair.sim.data.patch('OEOrders', key, { OrderDate: '2026-13-45T00:00:00Z' });
    const err = await pair.client.getByKey('orders', key).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Sage300MalformedRecordError);
    expect((err as Sage300MalformedRecordError).retryable).toBe(false);
    expect((err as Sage300MalformedRecordError).invalid).toEqual({
      key: String(key),
      field: 'OrderDate',
      problem: 'not a real date',
    });
    pair.sim.data.patch('OEOrders', key, { OrderDate: '2026-11-02T00:00:00Z' });
    expect((await pair.client.getByKey('orders', key))?.OrderDate).toBe('2026-11-02T00:00:00Z');
  });
});
