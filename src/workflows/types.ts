import type { OrderJobPlan } from '../domain/orders/plan.js';
import type { SyncPlan } from '../domain/sync-plan.js';

/**
 * Shapes shared by every sync stream (customers, orders). Everything here travels through Temporal
 * history, so it stays small: counts, keys, cursors. Never whole records, never raw emails.
 */

export const SYNC_STREAMS = ['customers', 'orders'] as const;
export type SyncStream = (typeof SYNC_STREAMS)[number];

export function isSyncStream(value: unknown): value is SyncStream {
  return typeof value === 'string' && (SYNC_STREAMS as readonly string[]).includes(value);
}

/** Who started a job; part of the job ID and a search attribute. */
export type SyncTrigger = 'schedule' | 'manual' | 'replay' | 'sandbox';

/** The workflow type each stream runs (by name, so schedules need not import workflow code). */
export const WORKFLOW_TYPE: Record<SyncStream, string> = {
  customers: 'customerSync',
  orders: 'orderSync',
};

/** Input of customerSync and orderSync. Carries no credentials and no records. */
export interface SyncJobInput {
  stream: SyncStream;
  /** Sage 300 company ID, for example SAMINC. */
  company: string;
  trigger: SyncTrigger;
  /** Ignore the watermark: read everything. */
  full?: boolean;
  /** YYYY-MM-DD: read records maintained on or after this day, whatever the watermark says. */
  since?: string;
  /** Replay: re-send exactly these Sage keys (read again by key), no watermark involved. */
  keys?: Array<string | number>;
  /** Replay: the job whose failures are re-sent. */
  replayOf?: string;
  /** Check the run's plan against the blast-radius guard before writing (scheduled runs always do). */
  guard?: boolean;
  /** The job whose plan the guard refused and a person accepted: this run writes without the guard. */
  acceptPlanOf?: string;
  /** Records per Sage page (default: the Sage client's page size). */
  pageSize?: number;
  /** Carried across continue-as-new; absent on a job's first run. */
  carry?: SyncCarry;
}

/** What one run of a job hands to the next when it continues as new. */
export interface SyncCarry {
  cursor?: string | number;
  /** Index into `keys` for replays. */
  keyIndex?: number;
  totals: SyncCounts;
  /** The high-water mark seen so far (becomes the new watermark when the job completes). */
  seen: WatermarkCandidate;
  /** The day the job started reading from (`DateLastMaintained ge`), if any. */
  fromDay?: string;
  /** The watermark day whose fingerprints mark re-read records as unchanged. */
  boundaryDay?: string;
  pages: number;
  runs: number;
  startedAt: string;
  /** Per-job facts prepared once at the start (duplicate resolution). */
  prepared?: PreparedJob;
  /** Records that failed with a transient error: while any did, the watermark is not advanced. */
  transientFailures?: number;
  /** The job holds its stream and company (claimed in its first run, released in its last). */
  streamLock?: boolean;
}

export interface PreparedJob {
  /**
   * Losers of duplicate-email groups -> the winning key; the winner is the lowest key. Empty after
   * 0.1.0: pages resolve their own records (src/activities/customers/duplicates.ts), so nothing here
   * grows with the company; jobs started by 0.1.0 workers carry their whole map and still use it.
   */
  duplicateOf: Record<string, string>;
  duplicateGroups: number;
  /** Order sync: the job's store and polling bounds (src/sync/orders/plan.ts). */
  orders?: OrderJobPlan;
}

export interface SyncCounts {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  failed: number;
}

export const ZERO_COUNTS: SyncCounts = {
  read: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  skipped: 0,
  failed: 0,
};

export function addCounts(a: SyncCounts, b: SyncCounts): SyncCounts {
  return {
    read: a.read + b.read,
    created: a.created + b.created,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    skipped: a.skipped + b.skipped,
    failed: a.failed + b.failed,
  };
}

/**
 * The incremental position of a stream: the last Sage day synced plus short fingerprints of the
 * records synced on that day (Sage dates have day precision, so that day is read again next time).
 */
export interface Watermark {
  /** YYYY-MM-DD, the max DateLastMaintained seen by the last successful job. */
  day: string;
  /** `key:hash` of the content last synced, one per record synced on `day` (see fingerprintEntry). */
  fingerprints: string[];
  /** True when more records shared `day` than we keep fingerprints for: they are re-sent. */
  overflow?: boolean;
  jobId?: string;
  committedAt?: string;
  /** Order sync: highest OrderUniquifier sent (new orders are polled above it). */
  maxUniquifier?: number;
  /**
   * Order sync: the day before the last successful job started (when it read Sage). Orders
   * completed on or after it are read again; never derived from the commit time.
   */
  readDay?: string;
}

/** The watermark a job is building while it runs. */
export interface WatermarkCandidate {
  day?: string;
  fingerprints: string[];
  overflow?: boolean;
  /** Order sync: highest OrderUniquifier seen. */
  maxUniquifier?: number;
  /** Order sync: the job's start day minus one (see Watermark.readDay). */
  readDay?: string;
}

/** The most fingerprints kept for one boundary day (key + 13 bytes each). */
export const MAX_FINGERPRINTS = 5000;

/** One record's outcome, kept compact in history (details only for skips and failures). */
export type RecordAction = 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';

export interface RecordDetail {
  key: string;
  /** Masked email (p***@m***.example), never the address itself. */
  email?: string;
  reason?: string;
  /** Index into the page's `reasons` (a repeated reason is stored once per page). */
  reasonRef?: number;
  status?: number;
  mailchimpId?: string;
  /** A transient failure (5xx, 429, timeout) that outlasted the retries: it holds the watermark. */
  retryable?: boolean;
  /** A row Sage sent that fails the schema: the field at fault (fixed in Sage, `replay` sends it). */
  field?: string;
}

/** A record whose values were cleaned or cut to fit Mailchimp's limits before sending: what changed. */
export interface RecordAdjustment {
  key: string;
  adjusted: string[];
}

/** Per-page trail: keys grouped by action; full detail for skipped and failed records. */
export interface PageTrail {
  created: string[];
  updated: string[];
  unchanged: string[];
  skipped: RecordDetail[];
  failed: RecordDetail[];
  /** Distinct failure reasons of the page, referenced by `reasonRef`. */
  reasons?: string[];
  /** Records sent with values changed to fit Mailchimp (whatever their outcome). */
  adjusted?: RecordAdjustment[];
}

export function emptyTrail(): PageTrail {
  return { created: [], updated: [], unchanged: [], skipped: [], failed: [] };
}

/** What a page activity returns: counts, trail, cursor and the watermark seen on the page. */
export interface PageResult {
  counts: SyncCounts;
  trail: PageTrail;
  /** Key of the last record processed (the next page starts after it). */
  cursor?: string | number;
  done: boolean;
  seen: WatermarkCandidate;
}

/**
 * `completed`: every record was written, unchanged or skipped. `completed_with_failures`: the job
 * ran to its end but some records failed (find them with `RecordsFailed > 0`; `audit`, `replay`).
 * `failed`: the job stopped (a page failed for good, refused credentials, a missing setting), or
 * it ran to its end and every write failed: nothing reached Mailchimp, so it is a failed workflow
 * (the UI's Failures filter), not a completion. See docs/outcomes.md.
 */
export type JobStatus = 'preparing' | 'running' | 'completed' | 'completed_with_failures' | 'failed';

/** The status a job that ran to its end reports for its counts. */
export function finalStatus(c: SyncCounts): 'completed' | 'completed_with_failures' | 'failed' {
  if (c.failed === 0) return 'completed';
  return c.created + c.updated + c.unchanged > 0 ? 'completed_with_failures' : 'failed';
}

/**
 * What a page had settled when it failed (the writes its attempts made before the failure),
 * attached to the failure as its details so the job's counts and trail include them.
 */
export type PagePartial = Pick<PageResult, 'counts' | 'trail'>;

export function isPagePartial(value: unknown): value is PagePartial {
  const v = value as Partial<PagePartial> | undefined;
  return Boolean(v && typeof v === 'object' && v.counts && v.trail && Array.isArray(v.trail.created));
}

/**
 * The job's memo: what a person reading it in the Temporal UI needs. Set at start by whoever
 * started the job (trigger, company, replay-of) and completed by the job at its end.
 */
export interface JobMemo {
  stream: SyncStream;
  company: string;
  trigger: SyncTrigger;
  replayOf?: string;
  status?: JobStatus;
  counts?: SyncCounts;
  pages?: number;
  /** A failed job's cause, in the words of the error that stopped it. */
  cause?: string;
  finishedAt?: string;
}

/** Answer of the `progress` query and the job's result. */
export interface SyncProgress {
  jobId: string;
  stream: SyncStream;
  company: string;
  trigger: SyncTrigger;
  status: JobStatus;
  counts: SyncCounts;
  pages: number;
  runs: number;
  fromDay?: string;
  /** The watermark the job commits (or committed) when it completes. */
  watermarkDay?: string;
  /** Set when transient failures kept the job from advancing the watermark: how many records. */
  watermarkHeld?: number;
  replayOf?: string;
  startedAt: string;
  finishedAt?: string;
  /** A failed job: what stopped it (the message of the error, naming the setting to check). */
  cause?: string;
  /** The plan the blast-radius guard checked before the job wrote (src/domain/sync-plan.ts). */
  plan?: SyncPlan;
  acceptPlanOf?: string;
}

export type SyncJobResult = SyncProgress;
