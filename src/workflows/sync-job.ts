import {
  ActivityFailure,
  ApplicationFailure,
  ContinueAsNew,
  continueAsNew,
  isCancellation,
  patched,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { SA } from '../temporal/search-attributes.js';
import { JOB_FAILED, RECORDS_FAILED, causeText, failureCause } from './failure-cause.js';
import { progressQuery } from './messages.js';
import { PLAN_REFUSED, type PlanJobInput, type PlanOutcome } from './plan.js';
import { planInput } from './sync-plan.js';
import { mergeCandidate } from './watermark.js';
import {
  ZERO_COUNTS,
  addCounts,
  finalStatus,
  isPagePartial,
  type JobMemo,
  type PagePartial,
  type PageResult,
  type SyncCounts,
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
  /** The run's plan, counted without writing: the blast-radius guard's input. */
  plan?(input: PlanJobInput): Promise<PlanOutcome>;
}

/**
 * Jobs whose histories began on workers without it neither count a failed page's writes, nor
 * upsert their memo, nor fail when every write failed: their histories replay as they ran.
 */
export const OUTCOME_PATCH = 'job-outcome';

/**
 * Jobs whose histories began on workers without it went straight to their writes: they replay
 * without the plan the guard now computes first.
 */
export const PLAN_GUARD_PATCH = 'plan-guard';

/** Scheduled runs (and runs asked to) check their plan first; an accepted plan, or a replay, does not. */
function guarded(input: SyncJobInput): boolean {
  return !input.acceptPlanOf && !input.keys && (input.trigger === 'schedule' || input.guard === true);
}

/** The job refused by the guard: its plan in the failure's details, and how to accept it. */
function planRefused(input: SyncJobInput, jobId: string, outcome: PlanOutcome): ApplicationFailure {
  return ApplicationFailure.create({
    type: PLAN_REFUSED,
    message:
      `refused by the blast-radius guard, nothing was written: ${outcome.refusals!.join('; ')}. ` +
      `Review the plan: ml-connector audit ${jobId}. Accept it: npx ml-connector sync ${input.stream} --accept-plan ${jobId} ` +
      `(or raise the SYNC_GUARD_* limit, or SYNC_GUARD=off)`,
    nonRetryable: true,
    details: [outcome.plan],
  });
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

/** What a failed page activity had written: its failure's details (src/activities/errors.ts). */
function pagePartialOf(err: unknown): PagePartial | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  const partial = err.cause.details?.[0];
  return isPagePartial(partial) ? partial : undefined;
}

function upsertCounts(totals: SyncCounts): void {
  upsertSearchAttributes([
    { key: SA.recordsRead, value: totals.read },
    { key: SA.recordsWritten, value: totals.created + totals.updated },
    { key: SA.recordsFailed, value: totals.failed },
  ]);
}

function memoOf(p: SyncProgress): JobMemo {
  return {
    stream: p.stream,
    company: p.company,
    trigger: p.trigger,
    ...(p.replayOf ? { replayOf: p.replayOf } : {}),
    status: p.status,
    counts: p.counts,
    pages: p.pages,
    ...(p.cause ? { cause: p.cause } : {}),
    ...(p.finishedAt ? { finishedAt: p.finishedAt } : {}),
  };
}

/** A job that ran to its end with failures and not one record written or found unchanged. */
function everyWriteFailed(totals: SyncCounts, transient: number): ApplicationFailure {
  const why =
    transient > 0
      ? `; ${transient} of them with transient errors (429, 5xx, timeouts) that outlasted every retry: Mailchimp or Sage 300 was overloaded or down`
      : '';
  return ApplicationFailure.create({
    type: RECORDS_FAILED,
    message: `every write failed: ${totals.failed} record(s) failed and none was created, updated or found unchanged${why}`,
    nonRetryable: true,
  });
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
    ...(input.acceptPlanOf ? { acceptPlanOf: input.acceptPlanOf } : {}),
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

      if (steps.plan && guarded(input) && patched(PLAN_GUARD_PATCH)) {
        const outcome = await steps.plan({ ...planInput(jobId, input), guard: true });
        if (outcome.plan) progress.plan = outcome.plan;
        if (outcome.refusals) throw planRefused(input, jobId, outcome);
      }

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
      let result: PageResult;
      try {
        result = await steps.page(pageInput);
      } catch (err) {
        // What the page wrote before it failed is part of the job's counts (`audit` reads its
        // records from the same failure details).
        const partial = pagePartialOf(err);
        if (partial && patched(OUTCOME_PATCH)) {
          carry = { ...carry, totals: addCounts(carry.totals, partial.counts) };
          progress.counts = carry.totals;
          upsertCounts(carry.totals);
        }
        throw err;
      }
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
      upsertCounts(totals);
      const finished = input.keys ? (carry.keyIndex ?? 0) >= input.keys.length : result.done;
      if (finished) break;
    }

    // Replays re-send old failures: they say nothing about how far the stream has been read. A job
    // whose records failed with transient errors (an outage outlasting the retries) completes, but
    // leaves the watermark where it was, so the next run reads those records again by itself.
    progress.watermarkHeld = (carry.transientFailures ?? 0) > 0 ? carry.transientFailures : undefined;
    const status = finalStatus(carry.totals);
    const recordOutcome = patched(OUTCOME_PATCH);
    // Nothing reached Mailchimp: a failed job (the UI's Failures filter), and the watermark stays.
    if (status === 'failed' && recordOutcome)
      throw everyWriteFailed(carry.totals, carry.transientFailures ?? 0);
    if (!input.keys && carry.seen.day && !progress.watermarkHeld) {
      await steps.commitWatermark({
        stream: input.stream,
        company: input.company,
        jobId,
        watermark: carry.seen,
      });
    }
    progress.status = status === 'failed' ? 'completed_with_failures' : status;
    progress.finishedAt = new Date().toISOString();
    if (recordOutcome) upsertMemo({ ...memoOf(progress) });
    return progress;
  } catch (err) {
    // Continue-as-new is thrown too: the next run reports its own status.
    if (err instanceof ContinueAsNew) throw err;
    progress.status = 'failed';
    progress.finishedAt = new Date().toISOString();
    if (isCancellation(err)) throw err;
    progress.cause = causeText(failureCause(err));
    if (!patched(OUTCOME_PATCH)) throw err;
    upsertMemo({ ...memoOf(progress) });
    if (err instanceof ApplicationFailure && (err.type === RECORDS_FAILED || err.type === PLAN_REFUSED))
      throw err;
    // The job's failure reads as its cause (step, error, setting), the activity's failure beneath it.
    throw ApplicationFailure.create({
      type: JOB_FAILED,
      message: progress.cause,
      nonRetryable: true,
      cause: err instanceof Error ? err : undefined,
    });
  }
}
