import type { Client } from '@temporalio/client';
import type { Sage300Client } from '../../sage300/client.js';
import { Sage300MalformedRecordError } from '../../sage300/errors.js';
import type { InvalidRow } from '../../sage300/schemas.js';
import type { SyncPageInput } from '../../workflows/sync-job.js';
import { fingerprintsByKey } from '../../workflows/watermark.js';
import { compareKeys, coveredPrefix } from '../../domain/customers/duplicates.js';
import type { CustomerFields } from '../../domain/customers/mapping.js';
import { customerKey } from '../../domain/customers/plan.js';
import { JobMemo } from '../job-cache.js';
import { ReadAhead } from '../read-ahead.js';
import { loadWatermark } from '../sync-state.js';

/** The records a page handles and where the job goes on from. */
export interface CustomerPage {
  records: CustomerFields[];
  /** Rows that fail the schema: recorded failed with the field at fault, the rest is synced. */
  invalid: InvalidRow[];
  /** Replay keys Sage no longer has. */
  notFound: string[];
  cursor?: string | number;
  done: boolean;
  /** Starts reading the job's next page for its next page activity (read ahead), when there is one. */
  readNext?: () => void;
}

interface KeysetPage {
  records: CustomerFields[];
  invalid: InvalidRow[];
  lastKey?: string | number;
  done: boolean;
}

/** The next page of the job, read while this one is written; at most a few, for a minute. */
export function customerReadAhead(): ReadAhead<KeysetPage> {
  return new ReadAhead<KeysetPage>(4, 60_000);
}

/**
 * A replay's keys, or the keyset page after the cursor (`readNext` reads the following one ahead for
 * the job's next page activity). With `coverUntil`, the page stops after that key: the duplicate
 * map the page was given covers no further.
 */
export async function readCustomerPage(
  sage: Sage300Client,
  readAhead: ReadAhead<KeysetPage>,
  input: SyncPageInput,
): Promise<CustomerPage> {
  if (input.keys) return readByKeys(sage, input.keys, input.cursor);
  const read = (after: string | number | undefined) => () =>
    sage.keysetPage('customers', {
      ...(after !== undefined ? { after } : {}),
      ...(input.fromDay ? { filter: `DateLastMaintained ge ${input.fromDay}T00:00:00Z` } : {}),
      ...(input.pageSize ? { top: input.pageSize } : {}),
    }) as Promise<KeysetPage>;
  const at = (after: string | number | undefined) => [input.jobId, after, input.fromDay, input.pageSize];
  const page = await readAhead.read(at(input.cursor), read(input.cursor));
  let { records, invalid, done } = page;
  let cursor = page.lastKey ?? (records.length ? customerKey(records[records.length - 1]!) : input.cursor);
  const after = cursor;
  const readNext =
    !done && input.coverUntil === undefined ? () => readAhead.ahead(at(after), read(after)) : undefined;
  if (input.coverUntil !== undefined) {
    const limit = input.coverUntil;
    const covered = coveredPrefix(records.map(customerKey), limit);
    if (covered < records.length || !done) {
      records = records.slice(0, covered);
      done = false;
      cursor = covered ? customerKey(records[covered - 1]!) : limit;
      // Bad rows past the new cursor are read again by the next page.
      const until = String(cursor);
      invalid = invalid.filter((r) => compareKeys(r.key, until) <= 0);
    }
  }
  return {
    records,
    invalid,
    notFound: [],
    ...(cursor !== undefined ? { cursor } : {}),
    done,
    ...(readNext ? { readNext } : {}),
  };
}

async function readByKeys(
  sage: Sage300Client,
  keys: Array<string | number>,
  cursor: string | number | undefined,
): Promise<CustomerPage> {
  const records: CustomerFields[] = [];
  const invalid: InvalidRow[] = [];
  const notFound: string[] = [];
  for (const key of keys) {
    try {
      const found = (await sage.getByKey('customers', key)) as CustomerFields | undefined;
      if (found) records.push(found);
      else notFound.push(String(key));
    } catch (err) {
      if (!(err instanceof Sage300MalformedRecordError)) throw err;
      invalid.push(err.invalid);
    }
  }
  return { records, invalid, notFound, ...(cursor !== undefined ? { cursor } : {}), done: true };
}

/**
 * Key -> fingerprint the watermark holds for the page's boundary day (none without one), read once
 * per job and day on this worker (never carried through history); a failed read is tried again by
 * the next page.
 */
export function boundaryFingerprints(temporalClient: () => Client) {
  const memo = new JobMemo<Map<string, string>>(20);
  return async ({ jobId, company, boundaryDay: day }: SyncPageInput) => {
    if (!day) return undefined;
    return memo.get(`${jobId}|${day}`, async () => {
      const wm = await loadWatermark(temporalClient(), 'customers', company);
      return fingerprintsByKey(wm?.day === day ? wm.fingerprints : []);
    });
  };
}
