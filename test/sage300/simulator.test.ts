import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSage300Simulator, type Sage300Simulator } from '../../simulators/sage300/index.js';

describe('Sage 300 simulator over raw HTTP', () => {
  let sim: Sage300Simulator;
  let auth: string;
  const get = async (path: string, headers: Record<string, string> = { authorization: auth }) => {
    const res = await fetch(`${sim.baseUrl}${path}`, { headers });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> };
  };
  const ar = (q: string) => get(`/v1.0/-/SAMINC/AR/ARCustomers${q}`);

  beforeAll(async () => {
    sim = await startSage300Simulator({ seed: 7, today: '2026-11-27' });
    auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
  });
  afterAll(() => sim.stop());

  it('challenges a request without credentials with WWW-Authenticate and the error JSON', async () => {
    const r = await get('/v1.0/-/SAMINC/AR/ARCustomers', {});
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="Sage300WebApi"');
    expect(r.body).toEqual({
      error: { code: 'Unauthorized', message: { lang: 'en-US', value: expect.any(String) } },
    });
  });

  it('requires the upper-case user ID', async () => {
    const lower = `Basic ${Buffer.from(`${sim.username.toLowerCase()}:${sim.password}`).toString('base64')}`;
    expect((await get('/v1.0/-/SAMINC/AR/ARCustomers', { authorization: lower })).status).toBe(401);
  });

  it('serves rows in key order with $count, and no nextLink when everything fits', async () => {
    const r = await ar('?$count=true');
    const value = r.body.value as { CustomerNumber: string }[];
    expect(value).toHaveLength(60);
    expect(r.body['@odata.count']).toBe(60);
    expect(r.body['@odata.nextLink']).toBeUndefined();
    expect(r.body['@odata.context']).toBe(`${sim.baseUrl}/v1.0/-/SAMINC/AR/$metadata#ARCustomers`);
    const keys = value.map((c) => c.CustomerNumber);
    expect([...keys].sort()).toEqual(keys);
    const capped = await ar('?$top=20&$skip=10&$select=CustomerNumber');
    expect(capped.body['@odata.nextLink']).toBeUndefined();
    expect((capped.body.value as unknown[]).length).toBe(20);
  });

  it('supports $orderby on several keys, $select including collections, and rejects $expand', async () => {
    const r = await ar(
      '?$orderby=CurrencyCode desc,CustomerNumber asc&$select=CustomerNumber,CurrencyCode&$top=60',
    );
    const rows = r.body.value as { CustomerNumber: string; CurrencyCode: string }[];
    expect(Object.keys(rows[0]!)).toEqual(['CustomerNumber', 'CurrencyCode']);
    const sorted = [...rows].sort((a, b) =>
      a.CurrencyCode !== b.CurrencyCode
        ? a.CurrencyCode < b.CurrencyCode
          ? 1
          : -1
        : a.CustomerNumber < b.CustomerNumber
          ? -1
          : 1,
    );
    expect(rows).toEqual(sorted);
    expect(r.body['@odata.context']).toMatch(/#ARCustomers\(CustomerNumber,CurrencyCode\)$/);
    const orders = await get('/v1.0/-/SAMINC/OE/OEOrders?$select=OrderUniquifier,OrderDetails&$top=1');
    const order = (orders.body.value as Record<string, unknown>[])[0]!;
    expect(Object.keys(order)).toEqual(['OrderUniquifier', 'OrderDetails']);
    const expand = await ar('?$expand=CustomerOptionalFieldValues');
    expect(expand.status).toBe(400);
    expect((expand.body.error as { code: string }).code).toBe('InvalidParameters');
    expect(JSON.stringify(expand.body)).toMatch(/not a navigation property/);
  });

  it('answers 400 InvalidParameters for v3 datetime, unknown properties and bad options', async () => {
    for (const q of [
      "?$filter=DateLastMaintained gt datetime'2025-01-01T00:00'",
      "?$filter=Nope eq 'x'",
      '?$select=Nope',
      '?$orderby=Nope',
      '?$top=-1',
      '?$inlinecount=allpages',
      '?$top=1&$top=2',
    ]) {
      const r = await ar(q);
      expect([q, r.status]).toEqual([q, 400]);
      expect((r.body.error as { code: string }).code).toBe('InvalidParameters');
    }
  });

  it('reads by key with quoted, named and numeric keys, and 404s a missing one', async () => {
    const quoted = await ar(`('${encodeURIComponent("O''NEIL01")}')`);
    expect(quoted.body.CustomerNumber).toBe("O'NEIL01");
    expect(quoted.body['@odata.context']).toMatch(/ARCustomers\/\$entity$/);
    const named = await ar(`(CustomerNumber='1200')?$select=CustomerName`);
    expect(named.body).toEqual({ '@odata.context': expect.any(String), CustomerName: 'Maple Hardware Ltd.' });
    const order = await get('/v1.0/-/SAMINC/OE/OEOrders(41003)');
    expect(order.body.OrderUniquifier).toBe(41003);
    const missing = await ar("('NOPE')");
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      error: {
        code: 'RecordNotFound',
        message: { lang: 'en-US', value: 'A Record cannot be found for the specified entity key' },
      },
    });
    expect((await get('/v1.0/-/SAMINC/AR/OEOrders')).status).toBe(404);
  });

  it('seeds messy, realistic data deterministically', async () => {
    const customers = sim.data.customers();
    expect(customers).toHaveLength(60);
    const emails = customers.map((c) => String(c.Email).trim().toLowerCase()).filter((e) => e.includes('@'));
    expect(emails.length - new Set(emails).size).toBeGreaterThan(0);
    const names = customers.map((c) => c.CustomerName as string);
    for (const n of ['Zoë Dubois', 'Łukasz Brzęczyszczykiewicz', '山田太郎', 'Ünal Yılmaz'])
      expect(names).toContain(n);
    expect(customers.some((c) => c.Email === '')).toBe(true);
    expect(customers.some((c) => c.Email !== '' && !String(c.Email).includes('@'))).toBe(true);
    expect(customers.some((c) => /^\s|\s$/.test(String(c.Email)) && /[A-Z]/.test(String(c.Email)))).toBe(
      true,
    );
    expect(customers.some((c) => c.Status === 'Inactive')).toBe(true);
    expect(customers.some((c) => c.OnHold === 'Yes')).toBe(true);
    expect(new Set(customers.map((c) => c.CurrencyCode))).toEqual(new Set(['USD', 'CAD', 'EUR']));
    expect(customers.every((c) => /^\d{4}-\d{2}-\d{2}T00:00:00Z$/.test(String(c.DateLastMaintained)))).toBe(
      true,
    );

    const orders = sim.data.orders();
    expect(orders).toHaveLength(120);
    expect(orders.some((o) => o.OrderType === 'Quote')).toBe(true);
    expect(orders.some((o) => o.OnHold === true)).toBe(true);
    const completed = orders.filter((o) => String(o.OrderCompleted).startsWith('Complete'));
    expect(completed.length).toBeGreaterThan(0);
    const line = (completed[0]!.OrderDetails as Record<string, number>[]).find(
      (d) => d.OriginalQuantityOrdered! > 0,
    )!;
    expect(line.QuantityOrdered).toBe(0);
    const lineNumbers = orders.flatMap((o) =>
      (o.OrderDetails as { LineNumber: number }[]).map((d) => d.LineNumber),
    );
    expect(lineNumbers.every((n) => n % 32 === 0)).toBe(true);
    // A back-dated order: a high uniquifier with an OrderDate older than an earlier order's.
    const backDated = orders.some((o, i) => i > 0 && String(o.OrderDate) < String(orders[i - 1]!.OrderDate));
    expect(backDated).toBe(true);
    expect(sim.data.items()).toHaveLength(25);

    const again = await startSage300Simulator({ seed: 7 });
    try {
      expect(again.data.customers()).toEqual(customers);
    } finally {
      await again.stop();
    }
  });

  it('starts with 100,000 customers in a few seconds and serves a keyset page from the middle', async () => {
    const started = Date.now();
    const big = await startSage300Simulator({ customers: 100_000, orders: 10, pageSize: 1000 });
    try {
      expect(Date.now() - started).toBeLessThan(5_000);
      const a = `Basic ${Buffer.from(`${big.username}:${big.password}`).toString('base64')}`;
      const res = await fetch(
        `${big.baseUrl}/v1.0/-/SAMINC/AR/ARCustomers?$filter=${encodeURIComponent("CustomerNumber gt 'C050000'")}&$orderby=CustomerNumber&$top=1000`,
        { headers: { authorization: a } },
      );
      const body = (await res.json()) as { value: { CustomerNumber: string }[]; '@odata.nextLink'?: string };
      expect(body.value).toHaveLength(1000);
      expect(body.value[0]!.CustomerNumber).toBe('C050001');
    } finally {
      await big.stop();
    }
  });
});
