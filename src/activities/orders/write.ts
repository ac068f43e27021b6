import { activityInfo, cancellationSignal } from '@temporalio/activity';
import type { MailchimpClient } from '../../mailchimp/client.js';
import { refusedCustomerEmail } from '../../mailchimp/ecommerce.js';
import type { MailchimpRecordError } from '../../mailchimp/errors.js';
import type { ProductInput } from '../../mailchimp/types.js';
import { maskEmail } from '../../logging/redact.js';
import { forEachBounded } from '../../shared/concurrency.js';
import {
  orderDiffers,
  removedLineIds,
  updateBody,
  type MappedOrderBody,
} from '../../domain/orders/mapping.js';
import { isNewToStore, type OrderJobPlan } from '../../domain/orders/plan.js';
import { recordFailure, writeErrorOf, type RecordFailure } from '../../domain/record-failure.js';
import type { JobCache } from '../job-cache.js';
import type { OrderPagePlan, PendingOrder } from './plan.js';

type Outcome = 'created' | 'updated' | 'unchanged';

const productFingerprint = (p: ProductInput) => JSON.stringify([p.title, p.variants[0]?.sku]);

/** An error on one record: its failure to record, or thrown (src/domain/record-failure.ts). */
function recordedOrThrown(err: unknown): RecordFailure {
  const failure = recordFailure(writeErrorOf(err), activityInfo().attempt, 'orders');
  if (!failure) throw err;
  return failure;
}

/**
 * The page's products in the store, each sent once per job on this worker (`sent` remembers them).
 * Returns the products Mailchimp refused: they fail only the orders that use them.
 */
export async function ensureProducts(
  mailchimp: MailchimpClient,
  sent: JobCache<string>,
  jobId: string,
  storeId: string,
  wanted: readonly ProductInput[],
): Promise<Map<string, RecordFailure>> {
  const cache = sent.forJob(jobId);
  const todo = wanted.filter((p) => cache.get(p.id) !== productFingerprint(p));
  const failed = new Map<string, RecordFailure>();
  await forEachBounded(
    todo,
    mailchimp.maxConnections,
    async (p) => {
      try {
        await mailchimp.upsertProduct(storeId, p);
        cache.set(p.id, productFingerprint(p));
      } catch (err) {
        // Not cached: tried again by the next page.
        failed.set(p.id, recordedOrThrown(err));
      }
    },
    { signal: cancellationSignal() },
  );
  return failed;
}

/**
 * Sends the page's orders, a few at once, each outcome into the page's counts and trail. An order
 * whose product was refused, or that Mailchimp refuses, fails alone; any other error fails the page
 * and no further order is started.
 */
export async function writeOrders(
  mailchimp: MailchimpClient,
  plan: OrderJobPlan,
  page: OrderPagePlan,
  failedProducts: ReadonlyMap<string, RecordFailure>,
  refused: Refusals,
): Promise<void> {
  const { counts, trail } = page;
  const fail = (w: PendingOrder, f: RecordFailure) => {
    counts.failed++;
    trail.failed.push({
      key: w.key,
      mailchimpId: w.body.id,
      email: maskEmail(w.body.customer.email_address),
      reason: f.reason,
      ...(f.status ? { status: f.status } : {}),
      ...(f.retryable ? { retryable: true } : {}),
    });
  };
  await forEachBounded(
    page.toWrite,
    mailchimp.maxConnections * 2,
    async (w) => {
      const badProduct = w.productIds.find((id) => failedProducts.has(id));
      if (badProduct !== undefined) {
        const f = failedProducts.get(badProduct)!;
        fail(w, { ...f, reason: `product ${badProduct} rejected: ${f.reason}` });
        return;
      }
      try {
        const outcome = await writeOrder(mailchimp, plan, w.uniquifier, w.body, refused);
        counts[outcome]++;
        trail[outcome].push(w.key);
      } catch (err) {
        fail(w, recordedOrThrown(err));
      }
    },
    { signal: cancellationSignal() },
  );
}

/**
 * Per customer id and address: the first POST that carried them, settled to Mailchimp's refusal of
 * the address, or undefined (caches.ts `refusalCache`).
 */
export type Refusals = ReturnType<JobCache<Promise<MailchimpRecordError | undefined>>['forJob']>;

const refusalKey = (body: MappedOrderBody) => `${body.customer.id}\u0000${body.customer.email_address}`;

/** New orders are created (POST, PATCH if it exists); known ones are compared and PATCHed only when different. */
async function writeOrder(
  mailchimp: MailchimpClient,
  plan: OrderJobPlan,
  uniquifier: number,
  body: MappedOrderBody,
  refused: Refusals,
): Promise<Outcome> {
  const current = isNewToStore(plan, uniquifier)
    ? undefined
    : await mailchimp.getOrder(plan.storeId, body.id);
  if (!current) return createOrder(mailchimp, plan, body, refused);
  const differs = orderDiffers(body, current);
  const removed = removedLineIds(body, current);
  if (!differs && removed.length === 0) return 'unchanged';
  if (differs) await mailchimp.updateOrder(plan.storeId, body.id, updateBody(body));
  for (const lineId of removed) await mailchimp.deleteOrderLine(plan.storeId, body.id, lineId);
  return 'updated';
}

/**
 * POST, PATCH when it exists. An order whose customer address Mailchimp already refused in this job
 * would be refused again (POST, then the GET that tells a refusal from an existing order): the GET
 * alone settles it, the order exists (PATCHed, as the POST's "exists" would) or fails as before.
 * Orders with the same address wait for the first one's POST, so how many POSTs a page sends does
 * not depend on which of its orders happen to be written side by side.
 */
async function createOrder(
  mailchimp: MailchimpClient,
  plan: OrderJobPlan,
  body: MappedOrderBody,
  refused: Refusals,
): Promise<'created' | 'updated'> {
  const key = refusalKey(body);
  const first = refused.get(key);
  const refusal = first && (await first);
  if (refusal) {
    if (!(await mailchimp.getOrder(plan.storeId, body.id))) throw refusal;
    await mailchimp.updateOrder(plan.storeId, body.id, updateBody(body));
    return 'updated';
  }
  const sent = mailchimp.upsertOrder(plan.storeId, body, updateBody(body));
  if (!first) {
    refused.set(
      key,
      sent.then(
        () => undefined,
        (err: unknown) => (refusedCustomerEmail(err) ? err : undefined),
      ),
    );
  }
  return sent;
}
