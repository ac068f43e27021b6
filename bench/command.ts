import type { Command } from '../src/cli/command.js';
import { parseCommandArgs } from '../src/cli/args.js';
import { UsageError } from '../src/cli/command.js';
import { installRuntime } from '../src/temporal/runtime.js';
import { createLogger } from '../src/logging/logger.js';
import { benchCosts, describeCosts } from './cost-model.js';

const SUITES = ['sage300', 'customers', 'orders', 'reconcile', 'shared'] as const;
type Suite = (typeof SUITES)[number];

/**
 * Mailchimp latency per request in scale mode: the other suites' 30 ms, so its serial writer and
 * ratios compare with theirs. The bulk costs shrink with it (cost-model.ts); a lower one would not
 * shorten the run much: the orders are held by the worker below even 333/s.
 */
const SCALE_LATENCY_MS = 30;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive whole number`);
  return n;
}

/**
 * `npm run bench`: the speed and memory targets, measured on this machine against the simulators
 * and a dedicated Temporal dev server. Each suite prints its own lines; the summary repeats the ratios.
 */
export const command: Command = {
  summary:
    'Benchmarks: Sage 300 read memory, customer sync and order sync rates against the Mailchimp cap, order reconciliation time.',
  usage:
    'npm run bench -- [--only sage300|customers|orders|reconcile|shared] [--customers 100000] [--orders 50000] [--lines 4] [--batch-orders 500] ' +
    '[--reconcile-orders 100000] ' +
    '[--shared-customers 200000] [--shared-emails 100000] ' +
    '[--latency-ms 30] [--max-connections 10] [--naive-sample 1000]\n' +
    `   or: npm run bench -- --scale [--customers 1000000] [--orders 1000000] [--latency-ms ${SCALE_LATENCY_MS}] [--max-connections 10] [--naive-sample 1000]`,
  async run(argv, ctx) {
    const { values } = parseCommandArgs(argv, {
      only: { type: 'string' },
      scale: { type: 'boolean' },
      customers: { type: 'string' },
      orders: { type: 'string' },
      'reconcile-orders': { type: 'string' },
      lines: { type: 'string' },
      'batch-orders': { type: 'string' },
      'latency-ms': { type: 'string' },
      'max-connections': { type: 'string' },
      'naive-sample': { type: 'string' },
      'shared-customers': { type: 'string' },
      'shared-emails': { type: 'string' },
    });
    if (values.scale) {
      if (values.only) throw new UsageError('--scale runs alone: leave out --only');
      const { benchScale } = await import('./scale.js');
      installRuntime(createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }));
      const customers = positive('customers', values.customers, 1_000_000);
      const orders = positive('orders', values.orders, 1_000_000);
      const latencyMs = positive('latency-ms', values['latency-ms'], SCALE_LATENCY_MS);
      ctx.out(`\n== Scale: ${customers} customers and ${orders} orders, first load then 1 % changed`);
      ctx.out(describeCosts(benchCosts(latencyMs)));
      await benchScale({
        customers,
        orders,
        latencyMs,
        maxConnections: positive('max-connections', values['max-connections'], 10),
        naiveSample: positive('naive-sample', values['naive-sample'], 1000),
        log: (line) => ctx.out(line),
      });
      return 0;
    }
    const only = values.only?.split(',') as Suite[] | undefined;
    for (const s of only ?? [])
      if (!SUITES.includes(s)) throw new UsageError(`--only takes ${SUITES.join(', ')}`);
    const run = (s: Suite) => !only || only.includes(s);
    const customers = positive('customers', values.customers, 100_000);
    const orders = positive('orders', values.orders, 50_000);
    const latencyMs = positive('latency-ms', values['latency-ms'], 30);
    const maxConnections = positive('max-connections', values['max-connections'], 10);
    if (maxConnections > 10)
      throw new UsageError('--max-connections is at most 10 (Mailchimp allows 10 per key)');
    // The SDK's own INFO lines (bundling, worker state) would drown the measurements.
    installRuntime(createLogger({ level: process.env.LOG_LEVEL ?? 'warn' }));
    const log = (line: string) => ctx.out(line);
    const summary: string[] = [];
    log(describeCosts(benchCosts(latencyMs)));

    if (run('sage300')) {
      const { benchSage300Read } = await import('./sage300-read.js');
      ctx.out(`\n== Sage 300 read: ${customers} customers, keyset pages of 1000`);
      const r = await benchSage300Read({ customers, log });
      summary.push(
        `sage300 read: ${r.recordsPerSecond} records/s, peak RSS ${r.peakRssMb} MB (start ${r.rssStartMb} MB, growth ${(r.peakRssMb - r.rssStartMb).toFixed(1)} MB for ${r.records} records)`,
      );
    }
    if (run('customers')) {
      const { benchCustomerSync } = await import('./customer-sync.js');
      ctx.out(
        `\n== Customer sync: ${customers} customers, Mailchimp latency ${latencyMs} ms, ${maxConnections} connections`,
      );
      const r = await benchCustomerSync({
        customers,
        latencyMs,
        maxConnections,
        naiveSample: positive('naive-sample', values['naive-sample'], 1000),
        log,
      });
      summary.push(`customer sync: ${JSON.stringify(r)}`);
    }
    if (run('shared')) {
      const { benchCustomerSync } = await import('./customer-sync.js');
      const sharedCustomers = positive('shared-customers', values['shared-customers'], 200_000);
      const sharedEmails = positive('shared-emails', values['shared-emails'], 100_000);
      if (2 * sharedEmails > sharedCustomers)
        throw new UsageError('--shared-emails is at most half of --shared-customers');
      ctx.out(
        `\n== Customer sync, shared emails: ${sharedCustomers} customers, ${2 * sharedEmails} of them sharing ${sharedEmails} addresses in pairs`,
      );
      const r = await benchCustomerSync({
        customers: sharedCustomers,
        sharedEmails,
        latencyMs,
        maxConnections,
        naiveSample: 0,
        log,
      });
      summary.push(
        `shared emails: largest payload in the job's history ${r.largestPayloadBytes} bytes (0.1.0 carried a ${r.mapBytesIn010}-byte map); ` +
          `incremental 1%: ${r.incrementalSageRowsPercent} % of the customer rows read: ${JSON.stringify(r)}`,
      );
    }
    if (run('orders')) {
      const { benchOrderSync } = await import('./order-sync.js');
      const linesPerOrder = positive('lines', values.lines, 4);
      ctx.out(
        `\n== Order sync: ${orders} orders x ~${linesPerOrder} lines, Mailchimp latency ${latencyMs} ms, ${maxConnections} connections`,
      );
      const batchOrders = positive('batch-orders', values['batch-orders'], 500);
      const r = await benchOrderSync({ orders, linesPerOrder, latencyMs, maxConnections, batchOrders, log });
      summary.push(`order sync: ${JSON.stringify(r)}`);
    }
    if (run('reconcile')) {
      const { benchReconcile } = await import('./reconcile.js');
      const reconcileOrders = positive('reconcile-orders', values['reconcile-orders'], 100_000);
      const linesPerOrder = positive('lines', values.lines, 4);
      ctx.out(
        `\n== Order reconciliation: ${reconcileOrders} orders x ~${linesPerOrder} lines over 365 days, Mailchimp latency ${latencyMs} ms, ${maxConnections} connections`,
      );
      const r = await benchReconcile({
        orders: reconcileOrders,
        linesPerOrder,
        days: 365,
        latencyMs,
        maxConnections,
        log,
      });
      summary.push(`order reconciliation: ${r.orders} orders in ${r.seconds} s: ${JSON.stringify(r)}`);
    }
    ctx.out('\n== Summary');
    for (const line of summary) ctx.out(line);
    return 0;
  },
};
