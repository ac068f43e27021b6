import type { MailchimpRecordError } from '../../mailchimp/errors.js';
import type { ARCustomer } from '../../sage300/schemas.js';
import { JobCache } from '../job-cache.js';

/**
 * Order jobs a worker keeps caches for: a company runs one order job at a time (its stream lock),
 * so this covers several companies, or a job and its plan, at once.
 */
export const ORDER_CACHE_JOBS = 8;

/**
 * Entries per job, customers and products alike: five Sage pages' worth of distinct customers, kept
 * most recently used first, so the customers a backfill meets again and again stay. A customer
 * takes about 550 bytes (measured): a job's customers stay near 3 MB whatever the number of orders
 * (the 200,000 kept before took 100 MB).
 */
export const ORDER_CACHE_ENTRIES = 5_000;

/** Customers a job already read from Sage (null: Sage has no such customer). */
export function customerCache(): JobCache<ARCustomer | null> {
  return new JobCache(ORDER_CACHE_JOBS, ORDER_CACHE_ENTRIES);
}

/** Products a job already upserted: id -> fingerprint of what was sent. */
export function productCache(): JobCache<string> {
  return new JobCache(ORDER_CACHE_JOBS, ORDER_CACHE_ENTRIES);
}

/** Customer id and address -> the job's first POST with them, settled to Mailchimp's refusal of the address. */
export function refusalCache(): JobCache<Promise<MailchimpRecordError | undefined>> {
  return new JobCache(ORDER_CACHE_JOBS, ORDER_CACHE_ENTRIES);
}
