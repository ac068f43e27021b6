import { activityInfo, cancellationSignal, getClient } from '@temporalio/activity';
import type { MailchimpClient } from '../../mailchimp/client.js';
import { maskEmail } from '../../logging/redact.js';
import { forEachBounded } from '../../shared/concurrency.js';
import { orderDiffers, removedLineIds, type MappedOrderBody } from '../../domain/orders/mapping.js';
import { orderJobPlan, type OrderJobPlan } from '../../domain/orders/plan.js';
import { addRevenue, emptyPlan, planWrite, type PlanSample, type SyncPlan } from '../../domain/sync-plan.js';
import { ZERO_COUNTS, emptyTrail } from '../../workflows/types.js';
import type { PlanJobInput, PlanOutcome } from '../../workflows/plan.js';
import type { ActivityDeps } from '../deps.js';
import { resolveClients } from '../clients.js';
import { toActivityFailure } from '../errors.js';
import { checkCompany, throwIfCancelled } from '../guards.js';
import { withHeartbeat } from '../heartbeat.js';
import { loadWatermark } from '../sync-state.js';
import { guardOf, guardVerdict } from '../preflight.js';
import { customerCache } from './caches.js';
import { planOrderPage, type PendingOrder } from './plan.js';
import { orderReadAhead, orderReader } from './read.js';

interface PlanProgress {
  cursor?: string | number;
  plan: SyncPlan;
}

/** Fields the sync owns on an order (what `orderDiffers` compares), named in a plan. */
const ORDER_FIELDS = [
  'financial_status',
  'fulfillment_status',
  'currency_code',
  'order_total',
  'tax_total',
] as const;

/**
 * The order run's plan, without writing: the same Sage pages and mapping, each order compared with
 * the store's copy (`getOrder` + `orderDiffers`, as the run does), and the revenue it would move.
 * The store is only read: a store that does not exist yet means every order is created.
 */
export function createOrderPlanActivities(deps: ActivityDeps) {
  const clients = resolveClients(deps);
  const customers = customerCache();
  const readAhead = orderReadAhead();

  return {
    async planOrderSync(input: PlanJobInput): Promise<PlanOutcome> {
      try {
        checkCompany(deps.config, input.company);
        const guard = guardOf(deps.config, input);
        if (guard === 'off') return {};
        const sage = await clients.sage300();
        const mailchimp = await clients.mailchimp();
        const storeId = deps.config.mailchimp.storeId ?? `sage300-${input.company.toLowerCase()}`;
        const wm = await loadWatermark(deps.temporalClient ?? getClient(), 'orders', input.company);
        const today = new Date().toISOString().slice(0, 10);
        const job = orderJobPlan({ ...input, storeId, today }, wm, deps.config.sync);
        const storeExists = (await mailchimp.getStore(storeId)) !== undefined;
        const progress: PlanProgress = (activityInfo().heartbeatDetails as PlanProgress | undefined) ?? {
          plan: { ...emptyPlan('orders', input.company), revenueDelta: {} },
        };
        const { plan } = progress;
        const reader = orderReader(sage, { ...input, plan: job }, customers, readAhead);
        return await withHeartbeat(
          () => progress,
          async (beat) => {
            for (;;) {
              const page = await reader.pageAfter(progress.cursor);
              throwIfCancelled();
              reader.readAheadOf(page);
              const cp = { processed: 0, counts: { ...ZERO_COUNTS }, trail: emptyTrail() };
              const planned = planOrderPage(page, job, cp);
              plan.read += planned.counts.read;
              plan.skipped += planned.counts.skipped;
              plan.failed += planned.counts.failed;
              await compareOrders(mailchimp, job, storeExists, planned.toWrite, plan);
              if (page.lastKey !== undefined) progress.cursor = page.lastKey;
              beat();
              if (page.done) break;
            }
            return { plan, ...guardVerdict(deps.config, guard, plan) };
          },
        );
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

async function compareOrders(
  mailchimp: MailchimpClient,
  job: OrderJobPlan,
  storeExists: boolean,
  toWrite: readonly PendingOrder[],
  plan: SyncPlan,
): Promise<void> {
  await forEachBounded(
    toWrite,
    mailchimp.maxConnections,
    async (w) => {
      const current = storeExists ? await mailchimp.getOrder(job.storeId, w.body.id) : undefined;
      const email = maskEmail(w.body.customer.email_address);
      if (!current) {
        addRevenue(plan, w.body.currency_code, w.body.order_total ?? 0);
        planWrite(plan, { key: w.key, email, action: 'create' });
        return;
      }
      plan.existing++;
      const fields = changedOrderFields(w.body, current);
      if (fields.length === 0) {
        plan.unchanged++;
        return;
      }
      addRevenue(plan, w.body.currency_code, (w.body.order_total ?? 0) - Number(current.order_total ?? 0));
      const sample: PlanSample = { key: w.key, email, action: 'update', fields };
      planWrite(plan, sample);
    },
    { signal: cancellationSignal() },
  );
}

function changedOrderFields(body: MappedOrderBody, current: Record<string, unknown>): string[] {
  const removed = removedLineIds(body, current).length > 0;
  if (!orderDiffers(body, current) && !removed) return [];
  const fields: string[] = ORDER_FIELDS.filter((f) => {
    const [a, b] = [body[f], current[f]];
    return typeof a === 'number' ? Math.abs(a - Number(b ?? 0)) >= 0.0005 : a !== b;
  });
  return fields.length > 0 && !removed ? fields : [...fields, 'lines'];
}
