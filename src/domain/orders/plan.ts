import type { AppConfig } from '../../config/index.js';
import { F, type Filter } from '../../sage300/odata.js';

/**
 * What an order job decided once at its start (carried across continue-as-new in PreparedJob), so
 * every page of the job reads with the same bounds even if the watermark moves meanwhile.
 *
 * Polling (orders have no DateLastMaintained):
 * - new orders: `OrderUniquifier gt knownUpTo` (entered since the last job, whatever their date:
 *   this catches back-dated entries) or `OrderDate ge fromDay` (the watermark day, inclusive);
 * - changes: orders dated on or after `lookbackFromDay` that are still open, and orders completed
 *   on or after `completedSinceDay` (the watermark's readDay: the day before the last successful job
 *   started, whatever their date), are
 *   read again and compared with the store's copy; only differences are sent.
 * A backfill (`--full`, or the first job of a company) reads every order with `is_syncing` on.
 */
export interface OrderJobPlan {
  storeId: string;
  /** Read every order, create directly, keep the store's is_syncing on while it runs. */
  backfill: boolean;
  /** Highest OrderUniquifier the store is known to have seen; above it an order is new. */
  knownUpTo?: number;
  /** Inclusive OrderDate lower bound (watermark day, or `--since`). */
  fromDay?: string;
  lookbackFromDay?: string;
  completedSinceDay?: string;
  includeQuotes: boolean;
  campaignField?: string;
  /** Orders one page activity handles (several Sage pages). */
  chunkSize: number;
  /**
   * YYYY-MM-DD the job started (the workflow's start time): caps the watermark (future-dated orders
   * do not move it ahead), anchors the lookback, and minus one day becomes the watermark's readDay.
   */
  today: string;
}

const dayStart = (day: string) => new Date(`${day}T00:00:00Z`);

export const OPEN_STATES = ['IncompleteNotIncluded', 'IncompleteIncluded'] as const;

function anyOf(...parts: Array<Filter | undefined | false | ''>): Filter | undefined {
  const present = parts.filter((p): p is Filter => Boolean(p));
  return present.length > 0 ? F.or(...present) : undefined;
}

/** The `$filter` of an order job's pages (the keyset cursor is added by the client). */
export function orderFilter(plan: OrderJobPlan): Filter | undefined {
  const notQuote = plan.includeQuotes ? undefined : F.ne('OrderType', { enum: 'Quote' });
  if (plan.backfill) return notQuote;
  const newer = anyOf(
    plan.knownUpTo !== undefined && F.gt('OrderUniquifier', plan.knownUpTo),
    plan.fromDay && F.ge('OrderDate', dayStart(plan.fromDay)),
  );
  // Open orders of the lookback window, and orders completed since the last job whatever their date
  // (few: only those completed in between), so a shipment of an old order is not missed.
  const changed = anyOf(
    plan.lookbackFromDay &&
      F.and(
        F.ge('OrderDate', dayStart(plan.lookbackFromDay)),
        F.or(...OPEN_STATES.map((s) => F.eq('OrderCompleted', { enum: s }))),
      ),
    plan.completedSinceDay && F.ge('OrderCompletionDate', dayStart(plan.completedSinceDay)),
  );
  const wanted = anyOf(newer, changed);
  return wanted ? F.and(notQuote, wanted) : notQuote;
}

/** Fields read from OEOrders (full entities carry about 400 header fields plus lines). */
export function orderSelect(plan: Pick<OrderJobPlan, 'campaignField'>): string[] {
  if (!plan.campaignField) return ORDER_SELECT;
  // The campaign field is an optional field or a header field: ask for both (a header field of that
  // name may not exist, which Sage would reject, so only names that look like header fields are added).
  return [
    ...ORDER_SELECT,
    'OrderOptionalFields',
    ...(/^[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$/.test(plan.campaignField) ? [plan.campaignField] : []),
  ];
}

const ORDER_SELECT = [
  'OrderUniquifier',
  'OrderNumber',
  'CustomerNumber',
  'OrderType',
  'OrderDate',
  'OnHold',
  'OrderCompleted',
  'OrderCompletionDate',
  'OrderPartiallyShipped',
  'OrderSourceCurrency',
  'OrderHomeCurrency',
  'OrderTotal',
  'TotalTaxAmount',
  'OrderDetails',
];

/** Whether an order goes straight to create (POST, PATCH if it exists) or is compared first. */
export function isNewToStore(plan: OrderJobPlan, uniquifier: number): boolean {
  return plan.backfill || (plan.knownUpTo !== undefined && uniquifier > plan.knownUpTo);
}

export function addDays(day: string, days: number): string {
  return new Date(dayStart(day).getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The part of a stream's watermark an order job plans from. */
export interface OrderWatermark {
  day: string;
  maxUniquifier?: number;
  readDay?: string;
  committedAt?: string;
}

/**
 * Orders completed on or after this day are read again: the day before the last successful job
 * started. A watermark written before readDay existed falls back to two days before its commit (one
 * of margin, one for a job that ran across midnight).
 */
function completedSince(wm: OrderWatermark | undefined): string | undefined {
  if (wm?.readDay) return wm.readDay;
  return wm?.committedAt ? addDays(wm.committedAt.slice(0, 10), -2) : undefined;
}

/**
 * A job's plan from its request and the stream's watermark: a backfill when asked (`full`) or when
 * the company has no watermark yet, else polling from the watermark (see OrderJobPlan).
 */
export function orderJobPlan(
  job: { storeId: string; today: string; full?: boolean; since?: string; replay?: boolean },
  wm: OrderWatermark | undefined,
  s: AppConfig['sync'],
): OrderJobPlan {
  const backfill = !job.replay && !job.since && (Boolean(job.full) || !wm);
  const completed = completedSince(wm);
  return {
    storeId: job.storeId,
    backfill,
    ...(wm?.maxUniquifier !== undefined && !backfill ? { knownUpTo: wm.maxUniquifier } : {}),
    ...(job.since ? { fromDay: job.since } : !backfill && wm ? { fromDay: wm.day } : {}),
    ...(!backfill && !job.replay ? { lookbackFromDay: addDays(job.today, -s.orderLookbackDays) } : {}),
    ...(!backfill && completed ? { completedSinceDay: completed } : {}),
    includeQuotes: s.orderIncludeQuotes,
    ...(s.orderCampaignField ? { campaignField: s.orderCampaignField } : {}),
    chunkSize: s.orderChunkSize,
    today: job.today,
  };
}
