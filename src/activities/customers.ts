import { activityInfo, cancellationSignal, getClient, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { ActivityDeps } from './deps.js';
import { resolveClients } from './clients.js';
import { maskEmail } from '../logging/mask.js';
import { fingerprint } from '../domain/fingerprint.js';
import { SyncConfigurationError, toActivityFailure } from './errors.js';
import { loadWatermark } from './sync-state.js';
import { fingerprintEntry, fingerprintsByKey } from '../workflows/watermark.js';
import {
  ZERO_COUNTS,
  emptyTrail,
  type PageResult,
  type PreparedJob,
  type RecordDetail,
  type SyncCounts,
} from '../workflows/types.js';
import type { SyncPageInput } from '../workflows/sync-job.js';
import { coveredPrefix, findDuplicates } from '../domain/customers/duplicates.js';
import {
  mapCustomer,
  maintainedDay,
  syncedEmailIdentity,
  type CustomerFields,
  type MemberPayload,
} from '../domain/customers/mapping.js';
import { customerMergeFields, mappingSettings } from '../domain/customers/settings.js';

/** Members written per bulk call: enough to keep every allowed connection busy, small enough to heartbeat often. */
const WRITE_CHUNK = 50;
const CHUNKS_IN_FLIGHT = 3;
/**
 * From this attempt of a page on, members Mailchimp still answers with a retryable error (after
 * the client's own retries) are recorded `failed` instead of failing the page again.
 */
const FAIL_RECORDS_FROM_ATTEMPT = 3;
const HEARTBEAT_EVERY_MS = 5_000;

interface PendingWrite {
  key: string;
  day?: string;
  fp: string;
  member: MemberPayload;
}

/** Progress of a page kept in heartbeat details, so a retried attempt does not write twice. */
interface PageCheckpoint {
  /** The fingerprint says which content was written: a record changed since is written again. */
  written: Array<[key: string, action: 'created' | 'updated', fp: string]>;
  failed: RecordDetail[];
}

function keyOf(c: CustomerFields): string {
  return String(c.CustomerNumber).trim();
}

/** Runs `fn` while heartbeating in the background (a slow Sage call must not look like a dead worker). */
async function withHeartbeat<T>(details: () => unknown, fn: () => Promise<T>): Promise<T> {
  heartbeat(details());
  const timer = setInterval(() => heartbeat(details()), HEARTBEAT_EVERY_MS);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

function throwIfCancelled(): void {
  const signal = cancellationSignal();
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('activity cancelled');
}

/** Customer activities: audience setup, duplicate-email resolution, and one page of sync. */
export function createCustomerSyncActivities(deps: ActivityDeps) {
  const clients = resolveClients(deps);
  const boundaryCache = new Map<string, Promise<Map<string, string>>>();
  /**
   * The next page, read while this one is written: the next page activity (usually on this worker)
   * takes it instead of waiting for Sage. Never an error: a failed prefetch is simply read again.
   */
  const prefetched = new Map<string, Promise<SagePage | undefined>>();
  type SagePage = { records: CustomerFields[]; lastKey?: string | number; done: boolean };
  const pageKey = (jobId: string, after: string | number | undefined, fromDay?: string, top?: number) =>
    `${jobId}|${String(after ?? '')}|${fromDay ?? ''}|${top ?? ''}`;
  const readPage = async (
    sage: Awaited<ReturnType<typeof clients.sage300>>,
    jobId: string,
    after: string | number | undefined,
    fromDay?: string,
    top?: number,
  ): Promise<SagePage> => {
    const key = pageKey(jobId, after, fromDay, top);
    const early = prefetched.get(key);
    prefetched.delete(key);
    const hit = early ? await early : undefined;
    if (hit) return hit;
    return (await sage.keysetPage('customers', {
      ...(after !== undefined ? { after } : {}),
      ...(fromDay ? { filter: `DateLastMaintained ge ${fromDay}T00:00:00Z` } : {}),
      ...(top ? { top } : {}),
    })) as SagePage;
  };
  const prefetch = (
    sage: Awaited<ReturnType<typeof clients.sage300>>,
    jobId: string,
    after: string | number | undefined,
    fromDay?: string,
    top?: number,
  ) => {
    const key = pageKey(jobId, after, fromDay, top);
    if (prefetched.has(key)) return;
    prefetched.set(
      key,
      readPage(sage, `${jobId}#prefetch`, after, fromDay, top).catch(() => undefined),
    );
    while (prefetched.size > 4) prefetched.delete(prefetched.keys().next().value!);
  };

  const listId = (): string => {
    const id = deps.config.mailchimp.listId;
    if (!id)
      throw new SyncConfigurationError('MAILCHIMP_LIST_ID is not set: the customer sync needs an audience');
    return id;
  };
  const checkCompany = (company: string) => {
    const configured = deps.config.sage300.company;
    if (configured && configured.toUpperCase() !== company.toUpperCase()) {
      throw new SyncConfigurationError(
        `job is for company ${company} but this worker is configured for ${configured} (SAGE300_COMPANY)`,
      );
    }
  };

  /** Key -> fingerprint the watermark holds for the boundary day, fetched once per job (not via history). */
  const boundaryFingerprints = (
    jobId: string,
    company: string,
    day: string,
  ): Promise<Map<string, string>> => {
    const cacheKey = `${jobId}|${day}`;
    let found = boundaryCache.get(cacheKey);
    if (!found) {
      found = (async () => {
        const client = deps.temporalClient ?? getClient();
        const wm = await loadWatermark(client, 'customers', company);
        return fingerprintsByKey(wm?.day === day ? wm.fingerprints : []);
      })();
      found.catch(() => boundaryCache.delete(cacheKey));
      boundaryCache.set(cacheKey, found);
      while (boundaryCache.size > 20) boundaryCache.delete(boundaryCache.keys().next().value!);
    }
    return found;
  };

  return {
    /** Creates the merge fields the mapping fills (COMPANY and the customer-number field are not defaults). */
    async prepareCustomerAudience(_args: { jobId: string }): Promise<void> {
      try {
        const mailchimp = await clients.mailchimp();
        const settings = mappingSettings(deps.config);
        await mailchimp.ensureMergeFields(
          listId(),
          customerMergeFields(settings).map((f) => ({ ...f })),
        );
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /**
     * Reads every customer's key and addresses only ($select) and returns the duplicate-email
     * groups as keys: the emails never leave the activity. Resolved for the whole company, so an
     * incremental job applies the same rule as a full one.
     */
    async findDuplicateEmails(args: { jobId: string; company: string }): Promise<PreparedJob> {
      try {
        checkCompany(args.company);
        const sage = await clients.sage300();
        const settings = mappingSettings(deps.config);
        const entries: Array<{ key: string; identity: string }> = [];
        let read = 0;
        await withHeartbeat(
          () => ({ read }),
          async () => {
            for await (const page of sage.pages('customers', {
              select: ['CustomerNumber', 'Email', 'ContactsEmail', 'Status', 'OnHold'],
              paging: 'keyset',
            })) {
              throwIfCancelled();
              for (const c of page as CustomerFields[]) {
                read++;
                const identity = syncedEmailIdentity(c, settings);
                if (identity) entries.push({ key: keyOf(c), identity });
              }
            }
          },
        );
        const { groups, duplicateOf } = findDuplicates(entries);
        deps.logger.info(
          { jobId: args.jobId, read, duplicateGroups: groups.length },
          'duplicate emails resolved',
        );
        return { duplicateOf, duplicateGroups: groups.length };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /** One page: read it from Sage, map and validate it, write it to Mailchimp, return counts and keys only. */
    async syncCustomerPage(input: SyncPageInput): Promise<PageResult> {
      try {
        checkCompany(input.company);
        const sage = await clients.sage300();
        const mailchimp = await clients.mailchimp();
        const list = listId();
        const settings = mappingSettings(deps.config);
        const checkpoint: PageCheckpoint = (activityInfo().heartbeatDetails as
          PageCheckpoint | undefined) ?? {
          written: [],
          failed: [],
        };
        const detailsNow = () => checkpoint;

        return await withHeartbeat(detailsNow, async () => {
          // 1. Read.
          let records: CustomerFields[];
          let done: boolean;
          let cursor: string | number | undefined = input.cursor;
          const notFound: string[] = [];
          if (input.keys) {
            records = [];
            for (const key of input.keys) {
              const found = (await sage.getByKey('customers', key)) as CustomerFields | undefined;
              if (found) records.push(found);
              else notFound.push(String(key));
            }
            done = true;
          } else {
            const page = await readPage(sage, input.jobId, input.cursor, input.fromDay, input.pageSize);
            records = page.records;
            done = page.done;
            cursor = page.lastKey ?? (records.length ? keyOf(records[records.length - 1]!) : input.cursor);
            if (!done && input.coverUntil === undefined) {
              prefetch(sage, input.jobId, cursor, input.fromDay, input.pageSize);
            }
            if (input.coverUntil !== undefined) {
              const limit = input.coverUntil;
              const covered = coveredPrefix(records.map(keyOf), limit);
              if (covered < records.length || !done) {
                records = records.slice(0, covered);
                done = false;
                cursor = covered ? keyOf(records[covered - 1]!) : limit;
              }
            }
          }
          throwIfCancelled();

          // 2. Map, validate, resolve duplicates, drop unchanged boundary records.
          const known = input.boundaryDay
            ? await boundaryFingerprints(input.jobId, input.company, input.boundaryDay)
            : undefined;
          const counts: SyncCounts = { ...ZERO_COUNTS };
          const trail = emptyTrail();
          const fingerprints = new Map<string, { day?: string; fp: string }>();
          const toWrite: PendingWrite[] = [];
          for (const key of notFound) {
            counts.read++;
            counts.skipped++;
            trail.skipped.push({ key, reason: 'not found in Sage' });
          }
          for (const record of records) {
            const key = keyOf(record);
            const day = maintainedDay(record);
            counts.read++;
            const winner = input.duplicateOf?.[key];
            const mapped = winner
              ? ({ kind: 'skip', key, reason: `duplicate of ${winner}` } as const)
              : mapCustomer(record, settings);
            const fp = fingerprint(key, mapped.kind === 'member' ? mapped.member : { skip: mapped.reason });
            if (known && day === input.boundaryDay && known.get(key) === fp) {
              counts.unchanged++;
              trail.unchanged.push(key);
              fingerprints.set(key, { day, fp });
              continue;
            }
            if (mapped.kind === 'skip') {
              counts.skipped++;
              const masked =
                'maskedEmail' in mapped && mapped.maskedEmail
                  ? mapped.maskedEmail
                  : winner
                    ? maskDuplicateEmail(record)
                    : undefined;
              trail.skipped.push({ key, reason: mapped.reason, ...(masked ? { email: masked } : {}) });
              fingerprints.set(key, { day, fp });
              continue;
            }
            toWrite.push({ key, day, fp, member: mapped.member });
          }

          // 3. Write (resuming after what a previous attempt of this page already wrote).
          const already = new Set(checkpoint.written.map(([key, , fp]) => `${key}|${fp}`));
          const alreadyFailed = new Set(checkpoint.failed.map((f) => f.key));
          const current = new Set(toWrite.map((w) => `${w.key}|${w.fp}`));
          checkpoint.written = checkpoint.written.filter(([key, , fp]) => current.has(`${key}|${fp}`));
          const pending = toWrite.filter(
            (w) => !already.has(`${w.key}|${w.fp}`) && !alreadyFailed.has(w.key),
          );
          const stillFailing: Array<{ w: PendingWrite; error: string; title?: string; status?: number }> = [];
          const chunks: PendingWrite[][] = [];
          for (let i = 0; i < pending.length; i += WRITE_CHUNK)
            chunks.push(pending.slice(i, i + WRITE_CHUNK));
          // A few chunks in flight at once: the client's shared limiter keeps the connection cap,
          // and the next chunk fills the connections a finishing chunk leaves idle.
          let nextChunk = 0;
          const writeChunks = async () => {
            while (nextChunk < chunks.length) {
              throwIfCancelled();
              const chunk = chunks[nextChunk++]!;
              const outcomes = await mailchimp.upsertMembers(
                list,
                chunk.map((w) => w.member),
              );
              outcomes.forEach((outcome, j) => {
                const w = chunk[j]!;
                if (outcome.ok) {
                  checkpoint.written.push([w.key, outcome.action, w.fp]);
                  return;
                }
                // Mailchimp's detail often quotes the address: masked like everything else.
                const error = maskEmail(
                  [outcome.error.title, outcome.error.detail].filter(Boolean).join(': '),
                );
                const status = outcome.error.status;
                if (outcome.error.kind === 'retryable') {
                  stillFailing.push({ w, error, title: outcome.error.title, ...(status ? { status } : {}) });
                } else {
                  checkpoint.failed.push({
                    key: w.key,
                    email: maskEmail(w.member.email),
                    reason: error || 'rejected',
                    ...(status ? { status } : {}),
                  });
                }
              });
              heartbeat(checkpoint);
            }
          };
          await Promise.all(Array.from({ length: Math.min(CHUNKS_IN_FLIGHT, chunks.length) }, writeChunks));
          if (stillFailing.length > 0) {
            // The client has already retried each of these requests. Early attempts let Temporal
            // retry the page (the checkpoint keeps what is written); from a late attempt on, the
            // members still failing are recorded `failed` so one bad record cannot block every run
            // (replay re-sends them).
            const attempt = activityInfo().attempt;
            if (attempt < FAIL_RECORDS_FROM_ATTEMPT) {
              const last = stillFailing[stillFailing.length - 1]!;
              throw ApplicationFailure.retryable(
                `${stillFailing.length} member(s) answered with a retryable error (${[last.status, last.title].filter(Boolean).join(' ')})`,
                'MailchimpRetryableError',
              );
            }
            for (const { w, error, status } of stillFailing) {
              checkpoint.failed.push({
                key: w.key,
                email: maskEmail(w.member.email),
                reason: `retryable error, still failing on attempt ${attempt}: ${error || 'no answer'}`,
                ...(status ? { status } : {}),
                retryable: true,
              });
            }
            heartbeat(checkpoint);
          }

          // 4. Outcomes, in page order, and the high-water mark seen.
          const written = new Map(checkpoint.written.map(([key, action]) => [key, action] as const));
          const failed = new Map(checkpoint.failed.map((f) => [f.key, f]));
          // Mailchimp's reasons repeat the (masked) address: stored once per page with the address
          // taken out, so a page of a thousand refusals stays a few kilobytes in history.
          const reasonIndex = new Map<string, number>();
          const compactFailure = (f: RecordDetail): RecordDetail => {
            if (!f.reason) return f;
            const generic = f.email ? f.reason.split(f.email).join('<email>') : f.reason;
            let ref = reasonIndex.get(generic);
            if (ref === undefined) {
              ref = reasonIndex.size;
              reasonIndex.set(generic, ref);
            }
            const { reason: _reason, ...rest } = f;
            return { ...rest, reasonRef: ref };
          };
          for (const w of toWrite) {
            const action = written.get(w.key);
            if (action) {
              counts[action]++;
              trail[action].push(w.key);
              fingerprints.set(w.key, { day: w.day, fp: w.fp });
            } else {
              counts.failed++;
              trail.failed.push(compactFailure(failed.get(w.key) ?? { key: w.key, reason: 'not written' }));
            }
          }
          // Capped at the job's start day: Sage stamps the user's session date, which can lie in the
          // future; such a record is read again every run until the calendar reaches it.
          let maxDay: string | undefined;
          for (const r of records) {
            const d = maintainedDay(r);
            if (d && (!maxDay || d > maxDay) && (!input.untilDay || d <= input.untilDay)) maxDay = d;
          }
          const seenFps = maxDay
            ? [...fingerprints]
                .filter(([, f]) => f.day === maxDay)
                .map(([key, f]) => fingerprintEntry(key, f.fp))
            : [];
          if (reasonIndex.size > 0) trail.reasons = [...reasonIndex.keys()];
          return {
            counts,
            trail,
            ...(cursor !== undefined ? { cursor } : {}),
            done,
            seen: maxDay ? { day: maxDay, fingerprints: seenFps } : { fingerprints: [] },
          };
        });
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

function maskDuplicateEmail(record: CustomerFields): string | undefined {
  const raw = (record.Email ?? '').trim() || (record.ContactsEmail ?? '').trim();
  return raw ? maskEmail(raw) : undefined;
}
