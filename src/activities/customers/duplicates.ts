import { cancellationSignal } from '@temporalio/activity';
import type { Logger } from '../../logging/logger.js';
import type { Sage300Client } from '../../sage300/client.js';
import { Sage300QueryError } from '../../sage300/errors.js';
import { F, buildQueryString, type Filter } from '../../sage300/odata.js';
import { forEachBounded } from '../../shared/concurrency.js';
import type { SyncPageInput } from '../../workflows/sync-job.js';
import { duplicatesAmong, findDuplicates } from '../../domain/customers/duplicates.js';
import {
  chooseEmail,
  syncedEmailIdentity,
  type CustomerFields,
  type CustomerMappingSettings,
} from '../../domain/customers/mapping.js';
import { customerKey } from '../../domain/customers/plan.js';
import { throwIfCancelled } from '../guards.js';
import { JobMemo } from '../job-cache.js';

/** The fields that decide a customer's synced identity ($select). */
const ADDRESS_FIELDS = ['CustomerNumber', 'Email', 'ContactsEmail', 'Status', 'OnHold'];

/**
 * IIS refuses a query string over 2,048 characters (request filtering's maxQueryString default): a
 * lookup stays well under it, with room for the key clause keyset paging adds to a next page.
 */
const MAX_QUERY_STRING = 1800;

/** Lookups of one page in flight at once (the Sage client's own cap applies on top). */
const LOOKUP_CONCURRENCY = 2;

type Entry = { key: string; identity: string };

/** Duplicate-email losers of the whole company, from one read of every customer's addresses. */
export interface CompanyDuplicates {
  duplicateOf: Record<string, string>;
  groups: number;
  read: number;
}

function identities(records: Iterable<CustomerFields>, settings: CustomerMappingSettings): Entry[] {
  const entries: Entry[] = [];
  for (const c of records) {
    const identity = syncedEmailIdentity(c, settings);
    if (identity) entries.push({ key: customerKey(c), identity });
  }
  return entries;
}

/** Reads every customer's addresses ($select) and resolves the groups; `progress.read` counts rows. */
async function scanCompany(
  sage: Sage300Client,
  settings: CustomerMappingSettings,
  progress: { read: number },
): Promise<CompanyDuplicates> {
  const entries: Entry[] = [];
  for await (const page of sage.pages('customers', { select: ADDRESS_FIELDS, paging: 'keyset' })) {
    throwIfCancelled();
    progress.read += page.length;
    entries.push(...identities(page as CustomerFields[], settings));
  }
  const { groups, duplicateOf } = findDuplicates(entries);
  return { duplicateOf, groups: groups.length, read: progress.read };
}

/**
 * The page's identities as `$filter`s of customers using one of them, each short enough for IIS.
 * `contains`, not `eq`: Sage keeps what was typed, and the sync trims it, so ` Ann@x.com` is Ann's
 * address too (SQL Server's `=` ignores trailing spaces only). The page's own records are left out.
 */
function lookupFilters(sage: Sage300Client, keysByIdentity: Map<string, string[]>): Filter[] {
  const fits = (filter: Filter) =>
    buildQueryString({
      filter: F.and(F.gt('CustomerNumber', 'W'.repeat(12)), filter),
      select: ADDRESS_FIELDS,
      orderby: ['CustomerNumber'],
      top: sage.pageSize,
    }).length <= MAX_QUERY_STRING;
  const filters: Filter[] = [];
  let batch: Filter[] = [];
  for (const [identity, keys] of keysByIdentity) {
    const term = F.and(
      F.or(F.contains('Email', identity), F.contains('ContactsEmail', identity)),
      ...keys.map((k) => F.ne('CustomerNumber', k)),
    );
    if (batch.length > 0 && !fits(F.or(...batch, term))) {
      filters.push(F.or(...batch));
      batch = [];
    }
    batch.push(term);
  }
  if (batch.length > 0) filters.push(F.or(...batch));
  return filters;
}

/**
 * Asks Sage which other customers use the page's identities, and applies the rule to the page's
 * records: the rows read are about the page's size, whatever the company's. Matching is decided
 * here on the identity (trimmed, lower-cased), so Sage's answer needs only to include every sharer.
 */
async function lookUpPage(
  sage: Sage300Client,
  settings: CustomerMappingSettings,
  page: Entry[],
): Promise<Record<string, string>> {
  const keysByIdentity = new Map<string, string[]>();
  for (const { key, identity } of page)
    keysByIdentity.set(identity, [...(keysByIdentity.get(identity) ?? []), key]);
  const others: Entry[] = [];
  await forEachBounded(
    lookupFilters(sage, keysByIdentity),
    LOOKUP_CONCURRENCY,
    async (filter) => {
      for await (const rows of sage.pages('customers', { filter, select: ADDRESS_FIELDS })) {
        throwIfCancelled();
        for (const e of identities(rows as CustomerFields[], settings))
          if (keysByIdentity.has(e.identity)) others.push(e);
      }
    },
    { signal: cancellationSignal() },
  );
  return duplicatesAmong(page, others);
}

/**
 * Why Sage cannot answer address lookups exactly, or undefined when it can: it must take `contains`
 * and compare text ignoring case, as SQL Server's default collation does (a database moved from
 * Pervasive is binary, case-sensitive). Asks for one page record by its address case-swapped.
 */
async function lookupProblem(
  sage: Sage300Client,
  record: CustomerFields,
  email: string,
): Promise<string | undefined> {
  const swapped = [...email]
    .map((ch) => (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()))
    .join('');
  try {
    const { records } = await sage.getPage('customers', {
      filter: F.and(
        F.eq('CustomerNumber', customerKey(record)),
        F.or(F.contains('Email', swapped), F.contains('ContactsEmail', swapped)),
      ),
      select: ['CustomerNumber'],
      top: 1,
    });
    return records.length > 0 ? undefined : 'Sage compares text case-sensitively (a binary collation)';
  } catch (err) {
    // Not the message: it quotes the filter, an address.
    if (err instanceof Sage300QueryError)
      return `Sage refused a contains() filter (HTTP ${err.status}${err.code ? ` ${err.code}` : ''})`;
    throw err;
  }
}

/**
 * Shared emails without the company's map in workflow history. A full job reads every customer's
 * addresses once per worker (findDuplicateEmails, or the first page on another worker) and its
 * pages take their losers from that; an incremental or replay page asks Sage who else uses its
 * records' addresses, so its cost follows the page, not the company. Same rule, same answer.
 */
export function createDuplicateResolver(logger: Logger) {
  const companies = new JobMemo<CompanyDuplicates>(2);
  const lookupsWork = new JobMemo<boolean>(8);

  const company = (
    jobId: string,
    sage: Sage300Client,
    settings: CustomerMappingSettings,
    progress: { read: number } = { read: 0 },
  ) => companies.get(jobId, () => scanCompany(sage, settings, progress));

  return {
    company,

    /** The page's losers (key -> winner) for planCustomerPage. */
    async forPage(
      input: SyncPageInput,
      sage: Sage300Client,
      settings: CustomerMappingSettings,
      records: CustomerFields[],
    ): Promise<Record<string, string>> {
      // A job started by 0.1.0 workers carries its map, sliced per page by the workflow: used as is.
      if (input.duplicateOf && Object.keys(input.duplicateOf).length > 0) return input.duplicateOf;
      if (!input.keys && !input.fromDay) return (await company(input.jobId, sage, settings)).duplicateOf;
      const page = identities(records, settings);
      const probe = records.find((c) => chooseEmail(c).ok);
      if (page.length === 0 || !probe) return {};
      const email = (chooseEmail(probe) as { email: string }).email;
      const exact = await lookupsWork.get(input.jobId, async () => {
        const problem = await lookupProblem(sage, probe, email);
        if (problem)
          logger.warn(
            { jobId: input.jobId, problem },
            'shared emails are resolved by reading every customer address once per job and worker',
          );
        return problem === undefined;
      });
      if (!exact) return (await company(input.jobId, sage, settings)).duplicateOf;
      return lookUpPage(sage, settings, page);
    },
  };
}
