import { continueAsNew, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { SA } from '../temporal/search-attributes.js';
import { progressQuery } from './messages.js';
import { mergeCandidate } from './watermark.js';
import {
  ZERO_COUNTS,
  addCounts,
  type PageResult,
  type PreparedJob,
  type SyncCarry,
  type SyncJobInput,
  type SyncJobResult,
  type SyncProgress,
  type Watermark,
  type WatermarkCandidate,
} from './types.js';

/** What a page activity of any stream is told. */
export interface SyncPageInput {
  jobId: string;
  company: string;
  /** Keyset cursor: read records with a key after this one. */
  cursor?: string | number;
  /** Incremental: records maintained on or after this day (YYYY-MM-DD). */
  fromDay?: string;
  /** Records of this day whose fingerprint the watermark holds are `unchanged`. */
  boundaryDay?: string;
  /**
   * The latest day a page may report as seen: the day the job started reading Sage. A record
   * stamped later (a future session date) is written but does not move the watermark past it.
   */
  untilDay?: string;
  /** Replay: exactly these keys. */
  keys?: Array<string | number>;
  pageSize?: number;
  /** Duplicate losers (key -> winner) among keys after `cursor`, up to `coverUntil`. */
  duplicateOf?: Record<string, string>;
  /** When set, the page must stop after this key (the duplicate list beyond it was not sent). */
  coverUntil?: string;
}

export interface SyncStreamSteps {
  /** Once per job, before the first page (merge fields, duplicate resolution, store setup...). */
  prepare(ctx: { jobId: string; input: SyncJobInput }): Promise<PreparedJob>;
  page(input: SyncPageInput): Promise<PageResult>;
  readWatermark(args: {
    stream: SyncJobInput['stream'];
    company: string;
  }): Promise<Omit<Watermark, 'fingerprints'> | undefined>;
  commitWatermark(args: {
    stream: SyncJobInput['stream'];
    company: string;
    jobId: string;
    watermark: WatermarkCandidate;
  }): Promise<void>;
}

/** Cap on the duplicate map sent with one page (keeps each activity input small). */
const MAX_DUPLICATES_PER_PAGE = 500;
/** Replay pages are read by key. */
const REPLAY_PAGE = 100;
/** Continue-as-new by then even if the server has not suggested it (tests lower the suggestion). */
const MAX_HISTORY = 10_000;

function duplicatesAfter(
  prepared: PreparedJob | undefined,
  cursor: string | number | undefined,
  keys?: Array<string | number>,
): { duplicateOf?: Record<string, string>; coverUntil?: string } {
  const all = prepared?.duplicateOf;
  if (!all) return {};
  if (keys) {
    const wanted = Object.fromEntries(
      keys.map(String).flatMap((k) => (all[k] !== undefined ? [[k, all[k]!]] : [])),
    );
    return { duplicateOf: wanted };
  }
  const after = cursor === undefined ? undefined : String(cursor);
  const losers = Object.keys(all)
    .filter((k) => after === undefined || k > after)
    .sort();
  const slice = losers.slice(0, MAX_DUPLICATES_PER_PAGE);
  return {
    duplicateOf: Object.fromEntries(slice.map((k) => [k, all[k]!])),
    ...(losers.length > MAX_DUPLICATES_PER_PAGE ? { coverUntil: slice[slice.length - 1] } : {}),
  };
}

/**
 * The job loop shared by every stream: read the watermark, prepare, then one activity per page
 * (each reads, maps and writes a page and returns only counts, a compact trail and the cursor),
 * continue-as-new before the history grows large, and commit the watermark only on success.
 */
export async function runSyncJob(
  input: SyncJobInput,
  steps: SyncStreamSteps,
  options: { holdsLock?: boolean } = {},
): Promise<SyncJobResult> {
  const info = workflowInfo();
  const jobId = info.workflowId;
  const progress: SyncProgress = {
    jobId,
    stream: input.stream,
    company: input.company,
    trigger: input.trigger,
    status: input.carry ? 'running' : 'preparing',
    counts: input.carry?.totals ?? ZERO_COUNTS,
    pages: input.carry?.pages ?? 0,
    runs: (input.carry?.runs ?? 0) + 1,
    fromDay: input.carry?.fromDay,
    watermarkDay: input.carry?.seen.day,
    ...(input.replayOf ? { replayOf: input.replayOf } : {}),
    startedAt: input.carry?.startedAt ?? new Date().toISOString(),
  };
  setHandler(progressQuery, () => progress);

  try {
    let carry: SyncCarry;
    if (input.carry) {
      carry = { ...input.carry, runs: progress.runs };
    } else {
      const attributes: SearchAttributeUpdatePair[] = [
        { key: SA.stream, value: input.stream },
        { key: SA.company, value: input.company },
        { key: SA.trigger, value: input.trigger },
        { key: SA.recordsRead, value: 0 },
        { key: SA.recordsWritten, value: 0 },
        { key: SA.recordsFailed, value: 0 },
      ];
      if (input.replayOf) attributes.push({ key: SA.replayOf, value: input.replayOf });
      upsertSearchAttributes(attributes);

      let fromDay: string | undefined;
      let boundaryDay: string | undefined;
      if (!input.keys) {
        if (input.since) {
          fromDay = input.since;
          boundaryDay = input.since;
        } else if (!input.full) {
          const wm = await steps.readWatermark({ stream: input.stream, company: input.company });
          fromDay = wm?.day;
          boundaryDay = wm?.day;
        }
      }
      progress.fromDay = fromDay;
      const prepared = await steps.prepare({ jobId, input });
      carry = {
        totals: ZERO_COUNTS,
        seen: { fingerprints: [] },
        ...(fromDay ? { fromDay } : {}),
        ...(boundaryDay ? { boundaryDay } : {}),
        pages: 0,
        runs: 1,
        startedAt: progress.startedAt,
        prepared,
        keyIndex: 0,
        ...(options.holdsLock ? { streamLock: true } : {}),
      };
    }
    progress.status = 'running';

    for (;;) {
      const now = workflowInfo();
      if (now.continueAsNewSuggested || now.historyLength > MAX_HISTORY) {
        await continueAsNew<(i: SyncJobInput) => Promise<SyncJobResult>>({ ...input, carry });
      }
      let pageInput: SyncPageInput;
      if (input.keys) {
        const start = carry.keyIndex ?? 0;
        const keys = input.keys.slice(start, start + (input.pageSize ?? REPLAY_PAGE));
        pageInput = {
          jobId,
          company: input.company,
          keys,
          ...duplicatesAfter(carry.prepared, undefined, keys),
        };
      } else {
        pageInput = {
          jobId,
          company: input.company,
          ...(carry.cursor !== undefined ? { cursor: carry.cursor } : {}),
          ...(carry.fromDay ? { fromDay: carry.fromDay } : {}),
          ...(carry.boundaryDay ? { boundaryDay: carry.boundaryDay } : {}),
          // The first run's start (workflow time, carried across continue-as-new): deterministic.
          untilDay: carry.startedAt.slice(0, 10),
          ...(input.pageSize ? { pageSize: input.pageSize } : {}),
          ...duplicatesAfter(carry.prepared, carry.cursor),
        };
      }
      const result = await steps.page(pageInput);
      const totals = addCounts(carry.totals, result.counts);
      carry = {
        ...carry,
        totals,
        seen: mergeCandidate(carry.seen, result.seen),
        transientFailures:
          (carry.transientFailures ?? 0) + result.trail.failed.filter((f) => f.retryable).length,
        pages: carry.pages + 1,
        ...(result.cursor !== undefined ? { cursor: result.cursor } : {}),
        ...(input.keys ? { keyIndex: (carry.keyIndex ?? 0) + (pageInput.keys?.length ?? 0) } : {}),
      };
      progress.counts = totals;
      progress.pages = carry.pages;
      progress.watermarkDay = carry.seen.day;
      upsertSearchAttributes([
        { key: SA.recordsRead, value: totals.read },
        { key: SA.recordsWritten, value: totals.created + totals.updated },
        { key: SA.recordsFailed, value: totals.failed },
      ]);
      const finished = input.keys ? (carry.keyIndex ?? 0) >= input.keys.length : result.done;
      if (finished) break;
    }

    // Replays re-send old failures: they say nothing about how far the stream has been read. A job
    // whose records failed with transient errors (an outage outlasting the retries) completes, but
    // leaves the watermark where it was, so the next run reads those records again by itself.
    progress.watermarkHeld = (carry.transientFailures ?? 0) > 0 ? carry.transientFailures : undefined;
    if (!input.keys && carry.seen.day && !progress.watermarkHeld) {
      await steps.commitWatermark({
        stream: input.stream,
        company: input.company,
        jobId,
        watermark: carry.seen,
      });
    }
    progress.status = 'completed';
    progress.finishedAt = new Date().toISOString();
    return progress;
  } catch (err) {
    // Also reached by continue-as-new (it is thrown); the next run reports its own status.
    progress.status = 'failed';
    progress.finishedAt = new Date().toISOString();
    throw err;
  }
}
