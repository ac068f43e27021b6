import type { AppConfig } from '../src/config/index.js';
import { orderJobPlan } from '../src/domain/orders/plan.js';
import { planOrderPage } from '../src/activities/orders/plan.js';
import { orderReadAhead, orderReader } from '../src/activities/orders/read.js';
import { JobCache } from '../src/activities/job-cache.js';
import { MailchimpClient } from '../src/mailchimp/client.js';
import type { BatchOperation, MailchimpBatch } from '../src/mailchimp/batches.js';
import { Sage300Client } from '../src/sage300/client.js';
import { ZERO_COUNTS, emptyTrail } from '../src/workflows/types.js';

export interface OrderBatchesResult {
  orders: number;
  products: number;
  created: number;
  failed: number;
  /** From the first submit to the last result read, the products' batch included. */
  seconds: number;
  /** Orders created per second of the order batches (the products' batch is a backfill's fixed cost). */
  ordersPerSecond: number;
  /** Each batch: its operations and the time from submitting it to having read its results. */
  batches: Array<{ operations: number; seconds: number }>;
}

/** Mailchimp's batches run one at a time per account: more than this in one gains nothing. */
const OPERATIONS_PER_BATCH = 500;

/**
 * The order backfill through `/batches` instead of one request per order, on the same Sage orders
 * (the connector's own reader and mapping): the products first (orders need them), then the orders,
 * each batch submitted, polled until finished and its result archive read, as a backfill would have
 * to, to record every order's outcome. Timed from the first submit to the last result read.
 */
export async function benchOrderBatches(opts: {
  config: AppConfig;
  storeId: string;
  /** The first this many orders of Sage (one Sage page: at most its page size). */
  orders: number;
}): Promise<OrderBatchesResult> {
  const { config } = opts;
  const sage = Sage300Client.fromConfig(config.sage300);
  const mailchimp = await MailchimpClient.create(config.mailchimp);
  try {
    const listId = config.mailchimp.listId!;
    await mailchimp.ensureStore({ id: opts.storeId, listId, name: 'Bench batches', currencyCode: 'USD' });
    const plan = orderJobPlan(
      { storeId: opts.storeId, today: new Date().toISOString().slice(0, 10), full: true },
      undefined,
      config.sync,
    );
    const jobId = `bench-batches-${Date.now()}`;
    const reader = orderReader(
      sage,
      { jobId, company: config.sage300.company ?? '', plan, pageSize: opts.orders },
      new JobCache(1, opts.orders),
      orderReadAhead(),
    );
    const page = planOrderPage(await reader.pageAfter(undefined), plan, {
      processed: 0,
      counts: { ...ZERO_COUNTS },
      trail: emptyTrail(),
    });
    const storePath = `/ecommerce/stores/${encodeURIComponent(opts.storeId)}`;
    const productOps: BatchOperation[] = page.products.map((p) => ({
      method: 'PUT',
      path: `${storePath}/products/${encodeURIComponent(p.id)}`,
      body: p,
      operation_id: p.id,
    }));
    const orderOps: BatchOperation[] = page.toWrite.map((w) => ({
      method: 'POST',
      path: `${storePath}/orders`,
      body: w.body,
      operation_id: w.body.id,
    }));

    const batches: OrderBatchesResult['batches'] = [];
    let created = 0;
    let failed = 0;
    const run = async (ops: BatchOperation[], submitted: Promise<MailchimpBatch>, at: number) => {
      const done = await mailchimp.waitForBatch((await submitted).id, { pollMs: 250 });
      const results = await mailchimp.fetchBatchResults(done);
      batches.push({ operations: ops.length, seconds: (Date.now() - at) / 1000 });
      return results;
    };
    const started = Date.now();
    await run(productOps, mailchimp.submitBatch(productOps), Date.now());
    // Every order batch is submitted at once: Mailchimp queues them and runs them one after the other.
    const chunks: BatchOperation[][] = [];
    for (let i = 0; i < orderOps.length; i += OPERATIONS_PER_BATCH)
      chunks.push(orderOps.slice(i, i + OPERATIONS_PER_BATCH));
    const submittedAt = Date.now();
    const pending = chunks.map((ops) => ({ ops, submitted: mailchimp.submitBatch(ops) }));
    for (const { ops, submitted } of pending) {
      for (const r of await run(ops, submitted, submittedAt)) {
        if (r.ok) created++;
        else failed++;
      }
    }
    const seconds = (Date.now() - started) / 1000;
    return {
      orders: orderOps.length,
      products: productOps.length,
      created,
      failed,
      seconds,
      ordersPerSecond: created / ((Date.now() - submittedAt) / 1000),
      batches,
    };
  } finally {
    sage.close();
  }
}
