import type { DayRow, OrderDifference, OrderSide } from '../domain/reconcile/types.js';
import type { ReconcileResult } from '../workflows/reconcile-job.js';

/** Amounts as finance reads them: two decimals, more only when the currency needs them (0.125). */
export function amount(n: number): string {
  const cents = n * 100;
  return Math.abs(Math.round(cents) - cents) < 1e-6 ? n.toFixed(2) : String(n);
}

const gap = (r: DayRow) => Math.round((r.mailchimp.revenue - r.sage.revenue) * 10_000) / 10_000;

export function dayStatus(r: DayRow): 'equal' | 'differs' {
  return r.differences === 0 ? 'equal' : 'differs';
}

const CSV_HEADER =
  'day,currency,sage_orders,sage_revenue,mailchimp_orders,mailchimp_revenue,revenue_difference,differing_orders,status';

/** The per-day table as CSV (for finance): one line per day and currency. */
export function daysCsv(result: ReconcileResult): string {
  const lines = result.days.map((r) =>
    [
      r.day,
      r.currency,
      r.sage.orders,
      amount(r.sage.revenue),
      r.mailchimp.orders,
      amount(r.mailchimp.revenue),
      amount(gap(r)),
      r.differences,
      dayStatus(r),
    ].join(','),
  );
  return `${[CSV_HEADER, ...lines].join('\n')}\n`;
}

const BOLD_RED = ['\u001b[1;31m', '\u001b[0m'];

function side(s: OrderSide | undefined): string {
  return s ? `${s.currency} ${amount(s.total)} ${s.status} ${s.lines} line(s)` : '-';
}

function what(d: OrderDifference): string {
  if (d.reason) return d.reason;
  if (d.kind === 'missing') return 'not in the store';
  return (d.fields ?? []).join(', ');
}

/**
 * The terminal report: one line per day and currency (Sage beside the store), the days that differ
 * marked, and in bold red when `color` (stdout is a terminal); then the orders that differ.
 */
export function formatReport(result: ReconcileResult, color: boolean): string[] {
  const out: string[] = [];
  const period = `${result.from} to ${result.to ?? 'today'}`;
  out.push(`${result.jobId}: orders of ${result.company} from ${period}, store ${result.storeId}`);
  if (!result.storeExists) out.push('  the store does not exist yet: no order has been synced');
  const header = [
    'day'.padEnd(10),
    'cur',
    'Sage orders'.padStart(11),
    'Sage revenue'.padStart(15),
    'MC orders'.padStart(9),
    'MC revenue'.padStart(15),
    'MC - Sage'.padStart(13),
    '  status',
  ].join('  ');
  out.push(header);
  for (const r of result.days) {
    const differs = dayStatus(r) === 'differs';
    const line = [
      r.day.padEnd(10),
      r.currency.padEnd(3),
      String(r.sage.orders).padStart(11),
      amount(r.sage.revenue).padStart(15),
      String(r.mailchimp.orders).padStart(9),
      amount(r.mailchimp.revenue).padStart(15),
      amount(gap(r)).padStart(13),
      differs ? `  DIFFERS (${r.differences} order${r.differences === 1 ? '' : 's'})` : '  equal',
    ].join('  ');
    out.push(differs && color ? `${BOLD_RED[0]}${line}${BOLD_RED[1]}` : line);
  }
  const c = result.counts;
  const differing = result.days.filter((r) => dayStatus(r) === 'differs').length;
  out.push(
    differing === 0
      ? `every day equal: ${result.days.length} day(s), ${c.sageOrders} Sage order(s), ${c.mailchimpOrders} in the store`
      : `${differing} of ${result.days.length} day(s) differ: ${c.missing} missing, ${c.gone} gone from Sage, ${c.different} different ` +
          `(Sage ${c.sageOrders} order(s), store ${c.mailchimpOrders})`,
  );
  if (result.differences.length > 0) {
    const total = c.missing + c.gone + c.different;
    out.push(
      result.truncated
        ? `orders that differ (first ${result.differences.length} of ${total}):`
        : `orders that differ (${total}):`,
    );
    for (const d of result.differences) {
      const day = (d.sage ?? d.mailchimp)!.day;
      out.push(
        `  ${d.kind.padEnd(9)}  ${d.orderId.padEnd(16)}  ${day.padEnd(10)}  Sage: ${side(d.sage)}  Mailchimp: ${side(d.mailchimp)}  ${what(d)}` +
          (d.key !== undefined ? `  (Sage key ${d.key})` : ''),
      );
    }
  }
  if (c.sageSkipped > 0)
    out.push(`${c.sageSkipped} Sage order(s) of the period are not sent by the sync (not compared)`);
  if (c.mailchimpCancelled > 0)
    out.push(`${c.mailchimpCancelled} store order(s) of the period are cancelled (not revenue)`);
  const cancelled = result.cancellation;
  if (cancelled) {
    out.push(`cancelled in Mailchimp (gone from Sage): ${cancelled.cancelled.length} order(s)`);
    for (const f of cancelled.failed) out.push(`  not cancelled: ${f.orderId} ${f.status ?? ''} ${f.reason}`);
  }
  return out;
}
