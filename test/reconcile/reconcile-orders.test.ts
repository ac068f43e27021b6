import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { command } from '../../src/cli/commands/reconcile.js';
import type { CliContext } from '../../src/cli/command.js';
import { readJobTrail } from '../../src/starter/audit.js';
import { findRunningJob } from '../../src/starter/start-job.js';
import { SA } from '../../src/temporal/search-attributes.js';
import type { ReconcileResult } from '../../src/workflows/reconcile-job.js';
import { testConfig } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';
import { testServerAddress } from '../helpers/temporal.js';
import { STORE_ID, startOrderHarness, type ApiOrder, type OrderHarness } from '../sync-orders/harness.js';

// Real servers on a shared 2-core machine: generous, so load never turns into a false failure.
jest.setTimeout(180_000);

const DAYS = ['2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08'];
const PERIOD = ['--from', '2026-10-01', '--to', '2026-10-31'];

type Row = Record<string, unknown>;

/** `ml-connector reconcile ...` as the CLI runs it, against the test Temporal and the harness's worker. */
async function reconcile(h: OrderHarness, ...argv: string[]): Promise<{ code: number; lines: string[] }> {
  const config = testConfig({
    ...h.vars,
    TEMPORAL_ADDRESS: testServerAddress(),
    ML_CONNECTOR_TASK_QUEUE: h.t.taskQueue,
  });
  const lines: string[] = [];
  const ctx: CliContext = {
    config: async () => config,
    logger: () => memoryLogger('warn').logger,
    out: (line) => lines.push(line),
  };
  return { code: await command.run(argv, ctx), lines };
}

async function reconcileJson(h: OrderHarness, ...argv: string[]): Promise<ReconcileResult & Row> {
  const { code, lines } = await reconcile(h, ...argv, '--json');
  expect(code).toBe(0);
  return JSON.parse(lines.at(-1)!) as ReconcileResult & Row;
}

async function mailchimp(h: OrderHarness, method: string, path: string): Promise<Response> {
  return fetch(`${h.mc.apiUrl}/${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`any:${h.mc.apiKey}`).toString('base64')}` },
  });
}

describe('reconcile orders (CLI, simulators, real worker)', () => {
  let h: OrderHarness;
  let orders: Row[];
  beforeAll(async () => {
    h = await startOrderHarness({ customers: 0, orders: 0, items: 5, encrypted: true });
    const items = h.sage.data.items().map((i) => String(i.UnformattedItemNumber));
    ['USD', 'USD', 'CAD'].forEach((currency, i) =>
      h.sage.data.addCustomer({
        CustomerNumber: `REC${i}`,
        CustomerName: `Reconciled ${i}`,
        Email: `buyer${i}@reconcile-shop.com`,
        CurrencyCode: currency,
      }),
    );
    orders = [];
    for (let n = 0; n < 12; n++) {
      orders.push(
        h.sage.data.enterOrder({
          CustomerNumber: `REC${n % 3}`,
          OrderDate: DAYS[n % DAYS.length],
          lines: [
            { item: items[n % items.length]!, quantity: 1 + (n % 3), unitPrice: 10 + n },
            { item: items[(n + 1) % items.length]!, quantity: 2, unitPrice: 4.5 },
          ],
        }),
      );
    }
    // A quote is never sent, so it is no difference either.
    h.sage.data.enterOrder({ CustomerNumber: 'REC0', OrderDate: DAYS[0], OrderType: 'Quote' });
    await h.startWorker();
    const sync = await h.runJob({ full: true });
    expect(sync).toMatchObject({ status: 'completed', counts: { created: 12, failed: 0 } });
  });
  afterAll(async () => h?.stop());

  it('after the sync, every day is equal', async () => {
    const r = await reconcileJson(h, 'orders', ...PERIOD);
    expect(r.jobId).toMatch(
      new RegExp(`^reconcile-orders-${h.company}-manual-\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$`),
    );
    expect(r).toMatchObject({
      storeId: STORE_ID,
      from: '2026-10-01',
      to: '2026-10-31',
      storeExists: true,
      truncated: false,
    });
    expect(r.counts).toEqual({
      sageOrders: 12,
      sageSkipped: 0,
      mailchimpOrders: 12,
      mailchimpCancelled: 0,
      missing: 0,
      gone: 0,
      different: 0,
    });
    expect(r.differences).toEqual([]);
    // One row per day and currency, Sage beside the store.
    expect(r.days.map((d) => `${d.day} ${d.currency}`)).toEqual(
      DAYS.flatMap((d) => [`${d} CAD`, `${d} USD`]),
    );
    for (const d of r.days) {
      expect(d.differences).toBe(0);
      expect(d.mailchimp).toEqual(d.sage);
    }
  });

  let deleted: Row;
  let changed: Row;
  let removed: Row;
  let listed: ReconcileResult;

  it('an order deleted in Sage, a total changed in Sage and an order removed from the store: exactly those three, with their days and amounts', async () => {
    [deleted, changed, removed] = [orders[0]!, orders[5]!, orders[10]!];
    h.sage.data.deleteOrder(deleted.OrderUniquifier as number);
    h.sage.data.patch('OEOrders', changed.OrderUniquifier as number, {
      OrderTotal: (changed.OrderTotal as number) + 25,
    });
    expect(
      (await mailchimp(h, 'DELETE', `ecommerce/stores/${STORE_ID}/orders/${String(removed.OrderNumber)}`))
        .status,
    ).toBe(204);

    const csv = join(mkdtempSync(join(tmpdir(), 'reconcile-')), 'days.csv');
    const text = await reconcile(h, 'orders', ...PERIOD, '--csv', csv);
    expect(text.code).toBe(0);
    listed = await reconcileJson(h, 'orders', ...PERIOD);

    const day = (o: Row) => String(o.OrderDate).slice(0, 10);
    const side = (o: Row, total = o.OrderTotal) => ({
      day: day(o),
      currency: o.OrderSourceCurrency,
      total,
      status: 'pending/unfulfilled',
      lines: 2,
    });
    expect(listed.differences).toEqual([
      { kind: 'gone', orderId: deleted.OrderNumber, reason: 'not in Sage', mailchimp: side(deleted) },
      {
        kind: 'different',
        orderId: changed.OrderNumber,
        key: changed.OrderUniquifier,
        fields: ['total'],
        sage: side(changed, (changed.OrderTotal as number) + 25),
        mailchimp: side(changed),
      },
      { kind: 'missing', orderId: removed.OrderNumber, key: removed.OrderUniquifier, sage: side(removed) },
    ]);
    expect(listed.counts).toMatchObject({
      missing: 1,
      gone: 1,
      different: 1,
      sageOrders: 11,
      mailchimpOrders: 11,
    });
    const differing = listed.days.filter((d) => d.differences > 0);
    expect(differing.map((d) => `${d.day} ${d.currency}`)).toEqual(
      [deleted, changed, removed].map((o) => `${day(o)} ${String(o.OrderSourceCurrency)}`),
    );
    const row = (o: Row) =>
      listed.days.find((d) => d.day === day(o) && d.currency === o.OrderSourceCurrency)!;
    const gap = (o: Row) => Math.round((row(o).mailchimp.revenue - row(o).sage.revenue) * 100) / 100;
    expect(gap(deleted)).toBe(deleted.OrderTotal);
    expect(gap(changed)).toBe(-25);
    expect(gap(removed)).toBe(-(removed.OrderTotal as number));

    // The terminal table marks exactly those days; the CSV holds the same rows for finance.
    const marked = text.lines.filter((l) => l.includes('DIFFERS')).map((l) => l.slice(0, 15));
    expect(marked).toEqual(differing.map((d) => `${d.day}  ${d.currency}`));
    expect(text.lines.filter((l) => /^ {2}(missing|gone|different) /.test(l))).toHaveLength(3);
    const csvLines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(csvLines).toHaveLength(listed.days.length + 1);
    expect(
      csvLines.filter((l) => l.endsWith(',differs')).map((l) => l.split(',').slice(0, 2).join(' ')),
    ).toEqual(differing.map((d) => `${d.day} ${d.currency}`));
  });

  it('a scheduled or earlier reconciliation is read back from its job: reconcile show', async () => {
    const shown = await reconcileJson(h, 'show', listed.jobId);
    expect(shown).toEqual(listed);
  });

  it('--repair refuses before doing anything while another order job of the company runs; the read-only comparison does not', async () => {
    // An order job no worker serves (another task queue) holds the stream for as long as this test needs.
    const blocker = await h.t.client.workflow.start('orderSync', {
      taskQueue: `${h.t.taskQueue}-nobody`,
      workflowId: `orders-${h.company}-blocker`,
      args: [{ stream: 'orders', company: h.company, trigger: 'manual' }],
      typedSearchAttributes: [{ key: SA.company, value: h.company }],
    });
    try {
      for (let i = 0; !(await findRunningJob(h.t.client, 'orders', h.company)); i++) {
        expect(i).toBeLessThan(100); // visibility catches up within seconds
        await new Promise((r) => setTimeout(r, 100));
      }
      const refused = await reconcile(h, 'orders', ...PERIOD, '--repair', '--json');
      expect(refused.code).toBe(75);
      const stillThree = await reconcileJson(h, 'orders', ...PERIOD);
      expect(stillThree.differences).toEqual(listed.differences);
    } finally {
      await blocker.terminate('test over');
    }
    const cancelled = await mailchimp(
      h,
      'GET',
      `ecommerce/stores/${STORE_ID}/orders/${String(deleted.OrderNumber)}`,
    );
    expect(((await cancelled.json()) as ApiOrder).financial_status).not.toBe('cancelled');
  });

  it('--repair cancels the order gone from Sage, re-sends the other two in one linked order job, and then every day is equal', async () => {
    const repaired = await reconcileJson(h, 'orders', ...PERIOD, '--repair', '--wait');
    expect(repaired.differences.map((d) => d.orderId)).toEqual(listed.differences.map((d) => d.orderId));
    expect(repaired.cancellation).toEqual({ cancelled: [deleted.OrderNumber], failed: [] });
    const job = repaired.repairJob as { jobId: string; keys: number; status: string; counts: Row };
    expect(job).toMatchObject({
      keys: 2,
      status: 'completed',
      counts: { read: 2, created: 1, updated: 1, failed: 0 },
    });
    expect(job.jobId.startsWith(`orders-${h.company}-`)).toBe(true);

    // A normal order job with its audit trail, linked to the reconciliation.
    const described = await h.t.client.workflow.getHandle(job.jobId).describe();
    expect(described.type).toBe('orderSync');
    expect(described.typedSearchAttributes.get(SA.trigger)).toBe('replay');
    expect(described.typedSearchAttributes.get(SA.replayOf)).toBe(repaired.jobId);
    expect(described.memo).toMatchObject({ replayOf: repaired.jobId });
    const trail = await readJobTrail(h.t.client, job.jobId);
    expect(trail.records.map((r) => [r.action, r.key]).sort()).toEqual(
      [
        ['created', String(removed.OrderUniquifier)],
        ['updated', String(changed.OrderUniquifier)],
      ].sort(),
    );

    // Cancelled, never deleted.
    const gone = (await (
      await mailchimp(h, 'GET', `ecommerce/stores/${STORE_ID}/orders/${String(deleted.OrderNumber)}`)
    ).json()) as ApiOrder & { cancelled_at_foreign?: string };
    expect(gone).toMatchObject({ financial_status: 'cancelled', cancelled_at_foreign: repaired.startedAt });

    const after = await reconcileJson(h, 'orders', ...PERIOD);
    expect(after.differences).toEqual([]);
    expect(after.days.every((d) => d.differences === 0)).toBe(true);
    expect(after.counts).toMatchObject({ sageOrders: 11, mailchimpOrders: 11, mailchimpCancelled: 1 });
    const text = await reconcile(h, 'orders', ...PERIOD);
    expect(text.lines).toContain(
      `every day equal: ${after.days.length} day(s), 11 Sage order(s), 11 in the store`,
    );
  });
});
