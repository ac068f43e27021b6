import { describe, expect, it } from '@jest/globals';
import { benchOrderSync } from '../../bench/order-sync.js';

// The benchmark at a tiny size, so it keeps working; the real numbers come from running it at
// 50,000 orders (docs/order-sync.md).
describe('benchOrderSync', () => {
  it('runs a small backfill through its own server and reports the rate against the ceiling', async () => {
    const lines: string[] = [];
    const r = await benchOrderSync({
      orders: 300,
      linesPerOrder: 4,
      latencyMs: 10,
      maxConnections: 4,
      log: (l) => lines.push(l),
    });
    expect(r.written).toBe(300);
    expect(r.failed).toBe(0);
    expect(r.rejected429).toBe(0);
    expect(r.ceilingPerSecond).toBe(400);
    expect(r.ratioOfCeiling).toBeGreaterThan(0);
    // One request per order, plus one per distinct product and the store set-up: no request per customer.
    expect(r.mailchimpRequests).toBeLessThanOrEqual(300 + 200 + 5);
    expect(lines.some((l) => l.startsWith('order sync:'))).toBe(true);
  }, 120_000);
});
