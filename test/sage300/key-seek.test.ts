import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSage300Simulator, type Sage300Simulator } from '../../simulators/sage300/index.js';

// `Key eq 'A' or Key eq 'B'` is answered by seeking the keys, as SQL Server's primary key index does
// (a scan made a million-customer lookup take seconds); the answers are the scan's.
describe.each(['ci', 'binary'] as const)('Sage 300 simulator key seeks (%s collation)', (collation) => {
  let sim: Sage300Simulator;
  let auth: string;
  const get = async (path: string, filter: string) => {
    const res = await fetch(`${sim.baseUrl}/v1.0/-/SAMINC/${path}?$filter=${encodeURIComponent(filter)}`, {
      headers: { authorization: auth },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { value: Record<string, unknown>[] }).value;
  };
  const customers = async (filter: string) =>
    (await get('AR/ARCustomers', filter)).map((r) => r.CustomerNumber);

  beforeAll(async () => {
    sim = await startSage300Simulator({ customers: 500, orders: 20, collation });
    auth = `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`;
  });
  afterAll(async () => sim?.stop());

  it('finds the keys named, in key order, case as the collation says, trailing spaces ignored', async () => {
    expect(
      await customers(
        "CustomerNumber eq 'C000400' or CustomerNumber eq 'DUPE01' or CustomerNumber eq 'NONE'",
      ),
    ).toEqual(['C000400', 'DUPE01']);
    expect(await customers("CustomerNumber eq 'dupe01  '")).toEqual(collation === 'ci' ? ['DUPE01'] : []);
    expect(await customers("CustomerNumber eq 'DUPE01' and Email eq 'nobody@example.com'")).toEqual([]);
  });

  it('finds a customer added after the first seek, and not one deleted', async () => {
    await customers("CustomerNumber eq 'DUPE01'");
    sim.data.addCustomer({ CustomerNumber: 'NEW01', Email: 'new@example.com' });
    sim.data.deleteCustomer('DUPE02');
    expect(await customers("CustomerNumber eq 'NEW01' or CustomerNumber eq 'DUPE02'")).toEqual(['NEW01']);
  });

  it('seeks numeric keys', async () => {
    const orders = await get('OE/OEOrders', 'OrderUniquifier eq 41003 or OrderUniquifier eq 41000');
    expect(orders.map((o) => o.OrderUniquifier)).toEqual([41000, 41003]);
  });
});
