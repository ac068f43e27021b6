import {
  ZERO_COUNTS,
  emptyTrail,
  type PagePartial,
  type PageResult,
  type RecordDetail,
} from '../../workflows/types.js';
import type { SyncPageInput } from '../../workflows/sync-job.js';
import { fingerprintEntry } from '../../workflows/watermark.js';
import { latestDay } from '../../domain/customers/plan.js';
import { maintainedDay } from '../../domain/customers/mapping.js';
import type { CustomerPage } from './read.js';
import type { CustomerPagePlan } from './plan.js';
import type { PageCheckpoint } from './checkpoint.js';

/**
 * The page's result: outcomes in page order, and the latest day seen with the fingerprints of that
 * day's records (what the watermark keeps). Counts and keys only: no record leaves the activity.
 */
export function summarizeCustomerPage(
  input: SyncPageInput,
  page: CustomerPage,
  plan: CustomerPagePlan,
  checkpoint: PageCheckpoint,
): PageResult {
  const { counts, trail, fingerprints } = plan;
  const written = new Map(checkpoint.written.map(([key, action]) => [key, action] as const));
  const failed = new Map(checkpoint.failed.map((f) => [f.key, f]));
  const reasons = reasonIndex();
  for (const w of plan.toWrite) {
    const action = written.get(w.key);
    if (action) {
      counts[action]++;
      trail[action].push(w.key);
      fingerprints.set(w.key, { day: w.day, fp: w.fp });
    } else {
      counts.failed++;
      trail.failed.push(reasons.compact(failed.get(w.key) ?? { key: w.key, reason: 'not written' }));
    }
  }
  // Capped at the job's start day: Sage stamps the user's session date, which can lie in the
  // future; such a record is read again every run until the calendar reaches it.
  const maxDay = latestDay(page.records.map(maintainedDay), input.untilDay);
  const seenFps = maxDay
    ? [...fingerprints].filter(([, f]) => f.day === maxDay).map(([key, f]) => fingerprintEntry(key, f.fp))
    : [];
  if (reasons.size > 0) trail.reasons = reasons.list();
  return {
    counts,
    trail,
    ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
    done: page.done,
    seen: maxDay ? { day: maxDay, fingerprints: seenFps } : { fingerprints: [] },
  };
}

/**
 * A failed page: the members its attempts wrote or recorded failed (the checkpoint), each counted
 * read. Records it had not settled are not counted: the next run reads them again.
 */
export function partialCustomerPage(checkpoint: PageCheckpoint): PagePartial {
  const counts = { ...ZERO_COUNTS };
  const trail = emptyTrail();
  const reasons = reasonIndex();
  for (const [key, action] of checkpoint.written) {
    counts.read++;
    counts[action]++;
    trail[action].push(key);
  }
  for (const f of checkpoint.failed) {
    counts.read++;
    counts.failed++;
    trail.failed.push(reasons.compact(f));
  }
  if (reasons.size > 0) trail.reasons = reasons.list();
  return { counts, trail };
}

/**
 * Mailchimp's reasons repeat the (masked) address: stored once per page with the address taken
 * out, so a page of a thousand refusals stays a few kilobytes in history.
 */
function reasonIndex() {
  const index = new Map<string, number>();
  return {
    get size() {
      return index.size;
    },
    list: () => [...index.keys()],
    compact(f: RecordDetail): RecordDetail {
      if (!f.reason) return f;
      const generic = f.email ? f.reason.split(f.email).join('<email>') : f.reason;
      let ref = index.get(generic);
      if (ref === undefined) {
        ref = index.size;
        index.set(generic, ref);
      }
      const { reason: _reason, ...rest } = f;
      return { ...rest, reasonRef: ref };
    },
  };
}
