import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  decodeArrayFromPayloads,
  decodeOptionalFailureToOptionalError,
} from '@temporalio/common/lib/internal-non-workflow/index.js';
import proto from '@temporalio/proto';
import type { SyncPlan } from '../domain/sync-plan.js';
import { causeHint, causeText, failureCause } from '../workflows/failure-cause.js';
import { PLAN_REFUSED } from '../workflows/plan.js';
import {
  ZERO_COUNTS,
  addCounts,
  isPagePartial,
  type PagePartial,
  type RecordAction,
  type SyncCounts,
  type SyncJobInput,
} from '../workflows/types.js';
import { completedStatus } from './follow.js';

const EventType = proto.temporal.api.enums.v1.EventType;

/** One record's outcome as `audit` shows and exports it. */
export interface AuditRecord {
  key: string;
  action: RecordAction;
  email?: string;
  reason?: string;
  status?: number;
  mailchimpId?: string;
  /** A row Sage sent that fails the schema: the field at fault. */
  field?: string;
  /** Values changed to fit Mailchimp's limits before sending (`COMPANY truncated to 255`). */
  adjusted?: string[];
  /** Which run of the continue-as-new chain wrote it, and which page. */
  run: number;
  page: number;
}

export interface JobTrail {
  jobId: string;
  workflowType: string;
  /** Input of the job's first run (no credentials, no records). */
  input?: SyncJobInput;
  /**
   * completed, completed_with_failures, failed, running, or how else Temporal closed it
   * (cancelled, terminated, timed_out).
   */
  status: string;
  /** A failed job: what failed, in plain words, and what to try. */
  cause?: string;
  hint?: string;
  /** A job the blast-radius guard refused: the plan it was refused with (its failure's details). */
  plan?: SyncPlan;
  runIds: string[];
  /** Including what failed pages had written before they failed. */
  counts: SyncCounts;
  records: AuditRecord[];
}

/**
 * A run's events, fetched in small pages: a page activity's result can be tens of kilobytes, and
 * one gRPC answer may not exceed 4 MB.
 */
export async function* historyEvents(
  client: Client,
  workflowId: string,
  runId: string,
): AsyncIterable<proto.temporal.api.history.v1.IHistoryEvent> {
  let nextPageToken: Uint8Array | undefined;
  do {
    const res = await client.workflowService.getWorkflowExecutionHistory({
      namespace: client.options.namespace,
      execution: { workflowId, runId },
      maximumPageSize: 50,
      ...(nextPageToken ? { nextPageToken } : {}),
    });
    for (const event of res.history?.events ?? []) yield event;
    nextPageToken = res.nextPageToken?.length ? res.nextPageToken : undefined;
  } while (nextPageToken);
}

/** A page's outcomes (a completed page's result, or what a failed page had written) join the trail. */
function addPage(trail: JobTrail, result: PagePartial, run: number, page: number): void {
  trail.counts = addCounts(trail.counts, result.counts);
  const t = result.trail;
  const adjusted = new Map((t.adjusted ?? []).map((a) => [a.key, a.adjusted]));
  const noted = (key: string) => (adjusted.has(key) ? { adjusted: adjusted.get(key)! } : {});
  for (const action of ['created', 'updated', 'unchanged'] as const) {
    for (const key of t[action]) trail.records.push({ key, action, ...noted(key), run, page });
  }
  for (const d of [
    ...t.skipped.map((x) => ['skipped', x] as const),
    ...t.failed.map((x) => ['failed', x] as const),
  ]) {
    const [action, { reasonRef, ...detail }] = d;
    const reason =
      reasonRef !== undefined
        ? (t.reasons?.[reasonRef] ?? '').split('<email>').join(detail.email ?? 'the address')
        : detail.reason;
    trail.records.push({ ...detail, ...(reason ? { reason } : {}), ...noted(detail.key), action, run, page });
  }
}

/** The job's status in the words of docs/outcomes.md. */
function jobStatus(closed: string, counts: SyncCounts): string {
  if (closed === 'COMPLETED') return completedStatus(counts);
  return closed.toLowerCase();
}

/**
 * Reads a job's per-record trail back from Temporal: every run of its continue-as-new chain, the
 * results of its page activities. Payloads are decoded with the client's data converter, so an
 * encrypted history reads the same. The trail lasts as long as the namespace keeps closed
 * histories (retention); `audit --export` keeps it longer.
 */
export async function readJobTrail(client: Client, jobId: string): Promise<JobTrail> {
  const latest = await client.workflow.getHandle(jobId).describe();
  const converter = client.options.loadedDataConverter;
  const firstRunId = latest.raw.workflowExecutionInfo?.firstRunId || latest.runId;
  const trail: JobTrail = {
    jobId,
    workflowType: latest.type,
    status: latest.status.name,
    runIds: [],
    counts: { ...ZERO_COUNTS },
    records: [],
  };
  let runId: string | undefined = firstRunId;
  let run = 0;
  while (runId && run < 10_000) {
    run++;
    trail.runIds.push(runId);
    const scheduled = new Map<string, string>();
    let page = 0;
    let next: string | undefined;
    for await (const event of historyEvents(client, jobId, runId)) {
      switch (event.eventType) {
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
          if (run === 1) {
            const [input] = await decodeArrayFromPayloads(
              converter,
              event.workflowExecutionStartedEventAttributes?.input?.payloads,
            );
            trail.input = input as SyncJobInput;
          }
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
          scheduled.set(
            String(event.eventId),
            event.activityTaskScheduledEventAttributes?.activityType?.name ?? '',
          );
          break;
        case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
          const attrs = event.activityTaskCompletedEventAttributes;
          const [result] = await decodeArrayFromPayloads(converter, attrs?.result?.payloads);
          if (isPagePartial(result)) addPage(trail, result, run, ++page);
          break;
        }
        case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: {
          // A page that failed for good carries what it had written (src/activities/errors.ts).
          const failure = await decodeOptionalFailureToOptionalError(
            converter,
            event.activityTaskFailedEventAttributes?.failure,
          );
          const partial = failure instanceof ApplicationFailure ? failure.details?.[0] : undefined;
          if (isPagePartial(partial)) addPage(trail, partial, run, ++page);
          break;
        }
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED: {
          const failure = await decodeOptionalFailureToOptionalError(
            converter,
            event.workflowExecutionFailedEventAttributes?.failure,
          );
          const cause = failureCause(failure);
          trail.cause = causeText(cause);
          trail.hint = causeHint(cause, jobId);
          if (failure instanceof ApplicationFailure && failure.type === PLAN_REFUSED)
            trail.plan = failure.details?.[0] as SyncPlan | undefined;
          break;
        }
        case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW:
          next = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
          break;
        default:
          break;
      }
    }
    runId = next;
  }
  trail.status = jobStatus(latest.status.name, trail.counts);
  return trail;
}

/** Keys whose last outcome in the job is `failed` (a record re-read after a retry counts once). */
export function failedKeys(trail: JobTrail): string[] {
  const last = new Map<string, RecordAction>();
  for (const r of trail.records) last.set(r.key, r.action);
  return [...last].filter(([, action]) => action === 'failed').map(([key]) => key);
}
