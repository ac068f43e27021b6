import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';

/**
 * Why a job failed, in plain words, from the failure Temporal hands back: the step (the activity
 * that failed), the message of the error that stopped it (the Sage 300 and Mailchimp clients name
 * the setting to check) and what to try. Pure: the workflow puts it in its failure and memo, and
 * `sync --wait` and `audit` show it for jobs of any version. Messages never carry credentials (the
 * HTTP layers scrub them) and records never travel in errors.
 */
export interface FailureCause {
  /** The activity type that failed, when an activity did. */
  activity?: string;
  /** The error type: MailchimpAuthError, ConfigError, SyncRecordsFailed, StartToClose... */
  type?: string;
  message: string;
  /** Temporal gave up after the last allowed attempt (as opposed to an error retrying cannot fix). */
  retriesExhausted?: boolean;
}

/** The error type a job fails with when it ran to its end and every write failed. */
export const RECORDS_FAILED = 'SyncRecordsFailed';
/** The error type a job's failure carries, with the activity's failure as its cause. */
export const JOB_FAILED = 'SyncJobFailed';

const STEPS: Record<string, string> = {
  claimStream: 'claiming the stream (one job per stream and company)',
  readWatermark: 'reading the watermark',
  commitWatermark: 'committing the watermark',
  prepareCustomerAudience: 'preparing the Mailchimp audience',
  findDuplicateEmails: 'reading customer addresses from Sage 300',
  syncCustomerPage: 'syncing a page of customers',
  prepareOrderJob: 'preparing the Mailchimp store',
  startOrderBackfill: "turning the store's is_syncing on",
  syncOrderPage: 'syncing a chunk of orders',
  finishOrderBackfill: "turning the store's is_syncing off",
  releaseStream: 'releasing the stream',
};

const CONFIG_TYPES = new Set(['ConfigError', 'MasterKeyError', 'SyncConfigurationError']);
const AUTH_TYPES = new Set(['MailchimpAuthError', 'Sage300AuthError']);
const TRANSIENT_TYPES = new Set(['MailchimpRetryableError', 'Sage300RetryableError']);

/** Walks a failure's cause chain down to the error that stopped the job. */
export function failureCause(err: unknown): FailureCause {
  let activity: string | undefined;
  let retriesExhausted = false;
  let deepest: unknown = err;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 20; e = e.cause, depth++) {
    if (e instanceof ActivityFailure) {
      activity ??= e.activityType;
      retriesExhausted ||= e.retryState === 'MAXIMUM_ATTEMPTS_REACHED' || e.retryState === 'TIMEOUT';
    }
    deepest = e;
  }
  const type =
    deepest instanceof ApplicationFailure
      ? deepest.type
      : deepest instanceof TimeoutFailure
        ? deepest.timeoutType
        : deepest instanceof Error
          ? deepest.name
          : undefined;
  const message = deepest instanceof Error ? deepest.message : String(deepest);
  return {
    ...(activity ? { activity } : {}),
    ...(type ? { type } : {}),
    message,
    ...(retriesExhausted ? { retriesExhausted } : {}),
  };
}

/** What to try next, by the kind of error. */
export function causeHint(cause: FailureCause, jobId = '<job ID>'): string {
  const type = cause.type ?? '';
  if (type === RECORDS_FAILED)
    return `see each record and its reason with \`ml-connector audit ${jobId}\`; once fixed, \`ml-connector replay ${jobId}\` re-sends them`;
  if (CONFIG_TYPES.has(type) || AUTH_TYPES.has(type))
    return 'fix that setting, confirm with `ml-connector check`, then run the sync again';
  if (TRANSIENT_TYPES.has(type) || cause.retriesExhausted || /TO_CLOSE|TO_START|HEARTBEAT/.test(type))
    return 'the service kept failing through every retry: `ml-connector check` shows which one; the next run (scheduled or `ml-connector sync`) starts again from the last committed watermark';
  return 'the worker log has the details (search it for the job ID); `ml-connector check` tests both connections';
}

/** `syncing a page of customers failed: Mailchimp refused the credentials (...). Check MAILCHIMP_API_KEY ...` */
export function causeText(cause: FailureCause): string {
  if (!cause.activity) return cause.message;
  const step = STEPS[cause.activity] ?? cause.activity;
  const after = cause.retriesExhausted ? ' after every retry' : '';
  return `${step} failed${after}: ${cause.message}`;
}
