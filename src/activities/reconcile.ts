import { activityInfo, cancellationSignal } from '@temporalio/activity';
import type { MailchimpClient } from '../mailchimp/client.js';
import { MailchimpNotFoundError } from '../mailchimp/errors.js';
import type { Sage300Client } from '../sage300/client.js';
import { F } from '../sage300/odata.js';
import { forEachBounded } from '../shared/concurrency.js';
import type { OrderMappingOptions } from '../domain/orders/mapping.js';
import { addDays, orderFilter, orderJobPlan, orderSelect, type OrderJobPlan } from '../domain/orders/plan.js';
import { recordFailure, writeErrorOf } from '../domain/record-failure.js';
import { OrderReconciliation, type ReconcilePeriod } from '../domain/reconcile/compare.js';
import { STORE_ORDER_FIELDS, sageView, type SageOrderView } from '../domain/reconcile/sides.js';
import type { OrderComparison } from '../domain/reconcile/types.js';
import type { CancelOutcome } from '../workflows/reconcile-job.js';
import type { ActivityDeps } from './deps.js';
import { resolveClients } from './clients.js';
import { toActivityFailure } from './errors.js';
import { checkCompany, throwIfCancelled } from './guards.js';
import { withHeartbeat } from './heartbeat.js';

/**
 * Order numbers asked per OEOrders query when looking up store orders Sage did not match: 25 of
 * Sage's longest (22 characters) keep the query string, `$select` and keyset clause included, near
 * 1,600 characters, under IIS's 2,048.
 */
const NUMBER_BATCH = 25;

const dayStart = (day: string) => new Date(`${day}T00:00:00Z`);

/**
 * The order reconciliation's steps: compareOrders (reads both sides, returns the per-day table and
 * the differing orders) and cancelGoneOrders (a repair's cancellations). The records stay here; the
 * workflow sees the bounded comparison only.
 */
export function createReconcileActivities(deps: ActivityDeps) {
  const clients = resolveClients(deps);

  return {
    /**
     * Every order of the store (its fields that matter, pages within the connection cap) and, at
     * the same time, Sage's orders of the period exactly as a backfill reads and maps them (keyset
     * pages, `$select`, within SAGE300_MAX_CONCURRENCY), then the store orders Sage did not match,
     * looked up by number. A retried attempt starts over: it only reads.
     */
    async compareOrders(args: {
      jobId: string;
      company: string;
      from?: string;
      to?: string;
      /** YYYY-MM-DD the job started (workflow time): the default period ends there. */
      today: string;
    }): Promise<OrderComparison> {
      try {
        checkCompany(deps.config, args.company);
        const s = deps.config.sync;
        const period: ReconcilePeriod = {
          from: args.from ?? addDays(args.today, 1 - s.reconcileDays),
          ...(args.to ? { to: args.to } : {}),
        };
        const storeId = deps.config.mailchimp.storeId ?? `sage300-${args.company.toLowerCase()}`;
        // The plan of a backfill: the orders it reads (quotes only if included) and how it maps them.
        const plan = orderJobPlan({ storeId, today: args.today, full: true }, undefined, s);
        const [sage, mailchimp] = await Promise.all([clients.sage300(), clients.mailchimp()]);
        const progress = { storeOrders: 0, sageOrders: 0 };
        const rec = new OrderReconciliation(period);
        return await withHeartbeat(
          () => progress,
          async () => {
            // Both sides are read at once; a Sage order is compared as soon as the whole store is
            // known, so only the Sage pages read before that wait in memory.
            let early: SageOrderView[] | undefined = [];
            const store = readStore(mailchimp, storeId, (orders) => {
              for (const o of orders) rec.addStoreOrder(o);
              progress.storeOrders += orders.length;
            }).then((exists) => {
              for (const view of early ?? []) rec.addSageOrder(view);
              early = undefined;
              return exists;
            });
            const sageRead = readSagePeriod(sage, plan, period, (views, skipped) => {
              if (early) early.push(...views);
              else for (const view of views) rec.addSageOrder(view);
              for (let i = 0; i < skipped; i++) rec.skipSageOrder();
              progress.sageOrders += views.length + skipped;
            });
            const [storeExists] = await Promise.all([store, sageRead]);
            await lookUpUnmatched(sage, plan, rec);
            const result = rec.result();
            deps.logger.info(
              { jobId: args.jobId, storeId, ...period, ...result.counts, truncated: result.truncated },
              'orders reconciled',
            );
            return { storeId, ...period, gonePolicy: s.reconcileGone, storeExists, ...result };
          },
        );
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /**
     * Marks the store orders gone from Sage cancelled, never deletes them. An order Mailchimp
     * refuses (deleted meanwhile) is reported with the reason; the rest are cancelled.
     */
    async cancelGoneOrders(args: {
      jobId: string;
      storeId: string;
      orderIds: string[];
      at: string;
    }): Promise<CancelOutcome> {
      try {
        const mailchimp = await clients.mailchimp();
        const out: CancelOutcome = { cancelled: [], failed: [] };
        await forEachBounded(
          args.orderIds,
          mailchimp.maxConnections,
          async (orderId) => {
            try {
              await mailchimp.cancelOrder(args.storeId, orderId, args.at);
              out.cancelled.push(orderId);
            } catch (err) {
              const f = recordFailure(writeErrorOf(err), activityInfo().attempt, 'orders');
              if (!f) throw err;
              out.failed.push({ orderId, reason: f.reason, ...(f.status ? { status: f.status } : {}) });
            }
          },
          { signal: cancellationSignal() },
        );
        deps.logger.info(
          {
            jobId: args.jobId,
            storeId: args.storeId,
            cancelled: out.cancelled.length,
            failed: out.failed.length,
          },
          'orders gone from Sage cancelled in Mailchimp',
        );
        return out;
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

/** Every store order, page by page; false when the store does not exist (nothing synced yet). */
async function readStore(
  mailchimp: MailchimpClient,
  storeId: string,
  onPage: Parameters<MailchimpClient['forEachStoreOrderPage']>[2],
): Promise<boolean> {
  try {
    await mailchimp.forEachStoreOrderPage(storeId, STORE_ORDER_FIELDS, onPage, {
      signal: cancellationSignal(),
    });
    return true;
  } catch (err) {
    if (err instanceof MailchimpNotFoundError) return false;
    throw err;
  }
}

const mappingOptions = (plan: OrderJobPlan): OrderMappingOptions => ({
  includeQuotes: plan.includeQuotes,
  ...(plan.campaignField ? { campaignField: plan.campaignField } : {}),
});

/** Sage's orders of the period, mapped page by page: the ones the sync sends, and how many it skips. */
async function readSagePeriod(
  sage: Sage300Client,
  plan: OrderJobPlan,
  period: ReconcilePeriod,
  onPage: (views: SageOrderView[], skipped: number) => void,
): Promise<void> {
  const filter = F.and(
    orderFilter(plan),
    F.ge('OrderDate', dayStart(period.from)),
    period.to && F.lt('OrderDate', dayStart(addDays(period.to, 1))),
  );
  const options = mappingOptions(plan);
  for await (const records of sage.pages('orders', { filter, select: orderSelect(plan) })) {
    throwIfCancelled();
    const views: SageOrderView[] = [];
    let skipped = 0;
    for (const order of records) {
      const mapped = sageView(order, options);
      if (mapped.ok) views.push(mapped.view);
      else skipped++;
    }
    onPage(views, skipped);
  }
}

/**
 * Store orders of the period that no Sage order of the period matched: Sage may have them under
 * another date (compared then), as an order the sync skips now (a quote...), or not at all.
 */
async function lookUpUnmatched(sage: Sage300Client, plan: OrderJobPlan, rec: OrderReconciliation) {
  const options = mappingOptions(plan);
  const unmatched = rec.unmatched();
  for (let i = 0; i < unmatched.length; i += NUMBER_BATCH) {
    throwIfCancelled();
    const batch = unmatched.slice(i, i + NUMBER_BATCH);
    const filter = F.or(...batch.map((n) => F.eq('OrderNumber', n)));
    for await (const records of sage.pages('orders', { filter, select: orderSelect(plan) })) {
      for (const order of records) {
        const mapped = sageView(order, options);
        if (mapped.ok) rec.addSageOrder(mapped.view);
        else if (order.OrderNumber)
          rec.gone(order.OrderNumber.trim(), `Sage order is skipped by the sync: ${mapped.reason}`);
      }
    }
    for (const orderId of batch) rec.gone(orderId, 'not in Sage');
  }
}
