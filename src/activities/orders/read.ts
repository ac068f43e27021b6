import type { Sage300Client } from '../../sage300/client.js';
import { Sage300MalformedRecordError } from '../../sage300/errors.js';
import type { ARCustomer, InvalidRow } from '../../sage300/schemas.js';
import { F } from '../../sage300/odata.js';
import { forEachBounded } from '../../shared/concurrency.js';
import type { SyncPageInput } from '../../workflows/sync-job.js';
import type { SageOrder } from '../../domain/orders/mapping.js';
import { orderFilter, orderSelect, type OrderJobPlan } from '../../domain/orders/plan.js';
import type { JobCache } from '../job-cache.js';
import { ReadAhead } from '../read-ahead.js';

/** Customer numbers asked per ARCustomers query (`CustomerNumber eq 'a' or ...`). */
const CUSTOMER_BATCH = 25;
/** Customer queries of one page under way at once (the Sage client's own cap applies on top). */
const CUSTOMER_QUERIES = 4;
const CUSTOMER_SELECT = ['CustomerNumber', 'CustomerName', 'Email', 'ContactsEmail'];

export interface OrderPageInput extends SyncPageInput {
  plan: OrderJobPlan;
}

/** One Sage page of orders with the customers they name. */
export interface OrderPage {
  records: SageOrder[];
  /** Rows that fail the schema: recorded failed with the field at fault, the rest is synced. */
  invalid: InvalidRow[];
  lastKey?: string | number;
  done: boolean;
  customers: Map<string, ARCustomer | undefined>;
  /** Replay keys Sage no longer has. */
  notFound: string[];
}

/** The next Sage page of a job, read while this one is written; at most a few, for a minute. */
export function orderReadAhead(): ReadAhead<OrderPage> {
  return new ReadAhead<OrderPage>(4, 60_000);
}

/**
 * Reads the Sage pages of an order job: a replay's keys, or keyset pages after a cursor, each with
 * its customers (looked up once per job on this worker: `customers` remembers them).
 */
export function orderReader(
  sage: Sage300Client,
  input: OrderPageInput,
  customers: JobCache<ARCustomer | null>,
  readAhead: ReadAhead<OrderPage>,
) {
  const read = async (after: string | number | undefined): Promise<OrderPage> => {
    const page = input.keys ? await readByKeys(sage, input.keys) : await readKeyset(sage, input, after);
    const numbers = page.records.map((o) => o.CustomerNumber?.trim()).filter((n): n is string => Boolean(n));
    return { ...page, customers: await lookupCustomers(sage, customers.forJob(input.jobId), numbers) };
  };
  // A page read ahead with another page size is not the one asked for.
  const key = (cursor: string | number | undefined) => [input.jobId, cursor, input.pageSize];
  const ahead = (cursor: string | number | undefined) => {
    if (!input.keys) readAhead.ahead(key(cursor), () => read(cursor));
  };
  return {
    /** The page after `cursor` (the one read ahead when there is one). */
    pageAfter(cursor: string | number | undefined): Promise<OrderPage> {
      return input.keys ? read(cursor) : readAhead.read(key(cursor), () => read(cursor));
    },
    /** Starts reading the page after this one, for this activity or the job's next. */
    readAheadOf(page: OrderPage): void {
      if (!page.done) ahead(page.lastKey);
    },
    /** Starts reading the job's first page, for its first page activity. */
    readFirstAhead(): void {
      ahead(undefined);
    },
  };
}

async function readByKeys(
  sage: Sage300Client,
  keys: Array<string | number>,
): Promise<Omit<OrderPage, 'customers'>> {
  const records: SageOrder[] = [];
  const invalid: InvalidRow[] = [];
  const notFound: string[] = [];
  for (const key of keys) {
    const numeric = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : key;
    try {
      const found = await sage.getByKey('orders', numeric);
      if (found) records.push(found);
      else notFound.push(String(key));
    } catch (err) {
      if (!(err instanceof Sage300MalformedRecordError)) throw err;
      invalid.push(err.invalid);
    }
  }
  return { records, invalid, done: true, notFound };
}

async function readKeyset(
  sage: Sage300Client,
  input: OrderPageInput,
  after: string | number | undefined,
): Promise<Omit<OrderPage, 'customers'>> {
  const page = await sage.keysetPage('orders', {
    ...(after !== undefined ? { after } : {}),
    filter: orderFilter(input.plan),
    select: orderSelect(input.plan),
    ...(input.pageSize ? { top: input.pageSize } : {}),
  });
  return {
    records: page.records,
    invalid: page.invalid,
    lastKey: page.lastKey,
    done: page.done,
    notFound: [],
  };
}

async function lookupCustomers(
  sage: Sage300Client,
  cache: ReturnType<JobCache<ARCustomer | null>['forJob']>,
  numbers: Iterable<string>,
): Promise<Map<string, ARCustomer | undefined>> {
  const out = new Map<string, ARCustomer | undefined>();
  const missing: string[] = [];
  for (const n of new Set(numbers)) {
    const hit = cache.get(n);
    if (hit !== undefined) out.set(n, hit ?? undefined);
    else missing.push(n);
  }
  const batches: string[][] = [];
  for (let i = 0; i < missing.length; i += CUSTOMER_BATCH) batches.push(missing.slice(i, i + CUSTOMER_BATCH));
  // A backfill's first pages name a new customer on nearly every order: one query after the other
  // would keep the page (and every Mailchimp connection) waiting on Sage.
  await forEachBounded(batches, CUSTOMER_QUERIES, async (batch) => {
    const page = await sage.getPage('customers', {
      filter: F.or(...batch.map((n) => F.eq('CustomerNumber', n))),
      select: CUSTOMER_SELECT,
      top: batch.length,
    });
    const found = new Map(page.records.map((c) => [c.CustomerNumber.trim(), c]));
    for (const n of batch) {
      const c = found.get(n);
      cache.set(n, c ?? null);
      out.set(n, c);
    }
  });
  return out;
}
