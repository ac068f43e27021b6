import { cancellationSignal } from '@temporalio/activity';
import type { Logger } from '../../logging/logger.js';
import type { Sage300Client } from '../../sage300/client.js';
import { Sage300QueryError } from '../../sage300/errors.js';
import { F, buildQueryString, type Filter } from '../../sage300/odata.js';
import { forEachBounded } from '../../shared/concurrency.js';
import type { SyncPageInput } from '../../workflows/sync-job.js';
import { DuplicateScan } from '../../domain/customers/duplicate-scan.js';
import { compareKeys, duplicatesAmong } from '../../domain/customers/duplicates.js';
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

/**
 * Rows of a batch's first lookup request, half as many again for each next one: an address many
 * customers have in ContactsEmail (an inbox behind valid addresses of their own) is settled by its
 * first sharer, so the rows after it are not read, and one with no sharer below its page key costs
 * requests that grow with the log of its customers, not with their count.
 */
const LOOKUP_TOP = 10;

/**
 * Keys whose order Sage agrees with: for a key of digits and capitals, every key ordinally below it
 * is below it in Sage's collation too, except keys holding characters below 'Z' that collations
 * order differently (a word sort ignores '-' and "'"): those customers are read apart (unorderedKeys).
 * A lower key differs first by a lower digit or capital, a space (first in every collation), or by
 * ending (SQL pads it with spaces); lower-case and non-ASCII characters are ordinally above 'Z'.
 * Control characters, which no Sage screen can type, are assumed absent.
 */
const ORDERED_KEY = /^[0-9A-Z]+$/;
const KEY_PUNCTUATION = [...`!"#$%&'()*+,-./:;<=>?@`];
/** Customers with such numbers a job keeps in memory, at most. */
const MAX_UNORDERED_KEYS = 1000;

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
  const scan = new DuplicateScan();
  for await (const page of sage.pages('customers', { select: ADDRESS_FIELDS, paging: 'keyset' })) {
    throwIfCancelled();
    progress.read += page.length;
    for (const c of page as CustomerFields[]) {
      const identity = syncedEmailIdentity(c, settings);
      if (identity) scan.add(customerKey(c), identity);
    }
  }
  return { ...scan.result(), read: progress.read };
}

/**
 * What Sage can be trusted with: `contains` ignoring case (exact) and, with the customers it may
 * order otherwise known (`unordered`), key order.
 */
interface LookupAbility {
  exact: boolean;
  unordered?: Entry[];
}

/**
 * The page's identities, each with the filter of the customers that may beat its page records,
 * grouped into `$filter`s short enough for IIS. Only customers below an identity's lowest page key
 * can decide anything: that record beats every higher one, and the page's other records with the
 * identity lose to it anyway. `contains`, not `eq`: Sage keeps what was typed, and the sync trims
 * it, so ` Ann@x.com` is Ann's address too (SQL Server's `=` ignores trailing spaces only).
 */
function lookupBatches(sage: Sage300Client, page: Entry[], ordered: boolean): Array<Map<string, Filter>> {
  const keysByIdentity = new Map<string, string[]>();
  for (const { key, identity } of page)
    keysByIdentity.set(identity, [...(keysByIdentity.get(identity) ?? []), key]);
  const fits = (filter: Filter) =>
    buildQueryString({
      filter: F.and(F.gt('CustomerNumber', 'W'.repeat(12)), filter),
      select: ADDRESS_FIELDS,
      orderby: ['CustomerNumber'],
      top: sage.pageSize,
    }).length <= MAX_QUERY_STRING;
  const batches: Array<Map<string, Filter>> = [];
  let batch = new Map<string, Filter>();
  for (const [identity, keys] of keysByIdentity) {
    const lowest = [...keys].sort(compareKeys)[0]!;
    const uses = F.or(F.contains('Email', identity), F.contains('ContactsEmail', identity));
    const term =
      ordered && ORDERED_KEY.test(lowest)
        ? F.and(uses, F.lt('CustomerNumber', lowest))
        : F.and(uses, ...keys.map((k) => F.ne('CustomerNumber', k)));
    if (batch.size > 0 && !fits(F.or(...batch.values(), term))) {
      batches.push(batch);
      batch = new Map();
    }
    batch.set(identity, term);
  }
  if (batch.size > 0) batches.push(batch);
  return batches;
}

/**
 * Asks Sage which other customers use the page's identities, and applies the rule to the page's
 * records: the rows read follow the page's size, whatever the company's. Matching is decided here
 * on the identity (trimmed, lower-cased), so Sage's answer needs only to include every sharer. A
 * batch is read in key order; once an identity's sharer with an ordered key is read, no later row
 * can be a lower one (the unordered ones are known already), and the identity leaves the filter.
 */
async function lookUpPage(
  sage: Sage300Client,
  settings: CustomerMappingSettings,
  page: Entry[],
  unordered: Entry[] | undefined,
): Promise<Record<string, string>> {
  const own = new Set(page.map((e) => e.key));
  const ordered = unordered !== undefined;
  const wanted = new Set(page.map((e) => e.identity));
  const others = (unordered ?? []).filter((e) => wanted.has(e.identity) && !own.has(e.key));
  await forEachBounded(
    lookupBatches(sage, page, ordered),
    LOOKUP_CONCURRENCY,
    async (batch) => {
      let open = [...batch.keys()];
      let after: string | number | undefined;
      for (let top = LOOKUP_TOP; ; top = Math.min(Math.ceil(1.5 * top), sage.pageSize)) {
        const rows = await sage.keysetPage('customers', {
          ...(after !== undefined ? { after } : {}),
          filter: F.or(...open.map((identity) => batch.get(identity)!)),
          select: ADDRESS_FIELDS,
          top,
        });
        throwIfCancelled();
        const settled = new Set<string>();
        for (const e of identities(rows.records as CustomerFields[], settings)) {
          if (!batch.has(e.identity) || own.has(e.key)) continue;
          others.push(e);
          if (ordered && ORDERED_KEY.test(e.key)) settled.add(e.identity);
        }
        open = open.filter((identity) => !settled.has(identity));
        if (rows.done || open.length === 0) return;
        after = rows.lastKey;
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
 * The customers whose numbers Sage may order unlike ORDERED_KEY promises (those holding a character
 * below 'Z' other than a digit or capital, such as O'NEIL01), read once per job so that lookups
 * bounded by key order still see them; undefined when there are too many to keep (or Sage refuses
 * the filter): lookups are then not bounded. Over-matching (a server reading `contains(...,'%')` as
 * a wildcard) only costs the bound.
 */
async function unorderedKeys(
  sage: Sage300Client,
  settings: CustomerMappingSettings,
): Promise<Entry[] | undefined> {
  const filter = F.or(...KEY_PUNCTUATION.map((ch) => F.contains('CustomerNumber', ch)));
  const rows: CustomerFields[] = [];
  try {
    for await (const page of sage.pages('customers', { filter, select: ADDRESS_FIELDS, paging: 'keyset' })) {
      throwIfCancelled();
      rows.push(...(page as CustomerFields[]));
      if (rows.length > MAX_UNORDERED_KEYS) return undefined;
    }
  } catch (err) {
    if (err instanceof Sage300QueryError) return undefined;
    throw err;
  }
  return identities(rows, settings);
}

/**
 * Shared emails without the company's map in workflow history. A full job reads every customer's
 * addresses once per worker (findDuplicateEmails, or the first page on another worker) and its
 * pages take their losers from that; an incremental or replay page asks Sage who else uses its
 * records' addresses, so its cost follows the page, not the company. Same rule, same answer.
 */
export function createDuplicateResolver(logger: Logger) {
  const companies = new JobMemo<CompanyDuplicates>(2);
  const lookupsWork = new JobMemo<LookupAbility>(8);

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
      const ability = await lookupsWork.get(input.jobId, async () => {
        const problem = await lookupProblem(sage, probe, email);
        if (problem) {
          logger.warn(
            { jobId: input.jobId, problem },
            'shared emails are resolved by reading every customer address once per job and worker',
          );
          return { exact: false };
        }
        const unordered = await unorderedKeys(sage, settings);
        if (!unordered)
          logger.info(
            { jobId: input.jobId },
            'shared-email lookups read every sharer, not only the lower numbers: many customer numbers hold punctuation',
          );
        return { exact: true, ...(unordered ? { unordered } : {}) };
      });
      if (!ability.exact) return (await company(input.jobId, sage, settings)).duplicateOf;
      return lookUpPage(sage, settings, page, ability.unordered);
    },
  };
}
