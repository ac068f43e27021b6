import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';

// The benchmark at a tiny size, so it keeps working; the real numbers come from running it at
// 20,000 orders and more (docs/benchmarks.md). It runs as `npm run bench` does, from the build
// (`npm test` builds first): its Mailchimp simulator is a process of its own, started from JavaScript.
describe('benchOrderSync', () => {
  it('runs a small backfill through its own server, then some of it through /batches, and reports both', async () => {
    const args = ['--only', 'orders', '--orders', '300', '--latency-ms', '10', '--max-connections', '4'];
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['dist/bench/main.js', ...args, '--batch-orders', '20'],
      { env: { ...process.env, LOG_LEVEL: 'warn' } },
    );
    const lines = stdout.split('\n');
    const summary = lines.find((l) => l.startsWith('order sync: {'));
    const r = JSON.parse(summary!.slice('order sync: '.length)) as Record<string, number>;
    expect(r.written).toBe(300);
    expect(r.failed).toBe(0);
    expect(r.rejected429).toBe(0);
    expect(r.ceilingPerSecond).toBe(400);
    expect(r.ratioOfCeiling).toBeGreaterThan(0);
    // One request per order, plus one per distinct product and the store set-up: no request per customer.
    expect(r.mailchimpRequests).toBeLessThanOrEqual(300 + 200 + 5);
    // Every order of the /batches run was created, as its result archives said.
    expect(r.batchOrders).toBe(20);
    expect(r.batchCreated).toBe(20);
    expect(lines.some((l) => l.startsWith('/batches'))).toBe(true);
  }, 120_000);
});
