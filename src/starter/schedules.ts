import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleOptions,
  type ScheduleOptionsStartWorkflowAction,
  type Workflow,
} from '@temporalio/client';
import type { AppConfig } from '../config/index.js';
import { SA } from '../temporal/search-attributes.js';
import { scheduleId, scheduledJobIdPrefix } from '../workflows/job-id.js';
import { startMemo } from './start-job.js';
import {
  RECONCILE_WORKFLOW_TYPE,
  reconcileScheduleId,
  scheduledReconcileIdPrefix,
  type ReconcileInput,
} from '../workflows/reconcile-job.js';
import {
  RECONCILE_CUSTOMERS_WORKFLOW_TYPE,
  reconcileCustomersScheduleId,
  scheduledReconcileCustomersIdPrefix,
  type ReconcileCustomersInput,
} from '../workflows/reconcile-customers-job.js';
import { SYNC_STREAMS, WORKFLOW_TYPE, type SyncJobInput, type SyncStream } from '../workflows/types.js';

/** The schedule of one stream for the configured company, from config. */
export function scheduleOptionsFor(
  config: AppConfig,
  stream: SyncStream,
  company: string,
): ScheduleOptions<ScheduleOptionsStartWorkflowAction<Workflow>> {
  const input: SyncJobInput = { stream, company, trigger: 'schedule' };
  return {
    scheduleId: scheduleId(stream, company),
    spec: {
      cronExpressions: [stream === 'customers' ? config.sync.customersCron : config.sync.ordersCron],
      timezone: config.sync.timezone,
      jitter: config.sync.jitter,
    },
    action: {
      type: 'startWorkflow',
      // By name: the order workflow lives in another module, and a schedule must not import workflows.
      workflowType: WORKFLOW_TYPE[stream],
      taskQueue: config.temporal.taskQueue,
      args: [input],
      // The server appends `-<nominal time>`: customers-SAMINC-schedule-2026-11-28T02:00:00Z, the
      // one job ID grammar (src/workflows/job-id.ts).
      workflowId: scheduledJobIdPrefix(stream, company),
      typedSearchAttributes: [
        { key: SA.stream, value: stream },
        { key: SA.company, value: company },
        { key: SA.trigger, value: 'schedule' },
      ],
      memo: { ...startMemo(input) },
    },
    policies: {
      // Single flight: a run still going when the next one is due makes that one skip.
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: config.sync.catchupWindow,
    },
  };
}

/** A weekly reconciliation's schedule (by workflow type: schedules never import workflow code). */
function reconcileSchedule(
  config: AppConfig,
  s: { scheduleId: string; cron: string; workflowType: string; idPrefix: string; stream: SyncStream },
  input: ReconcileInput | ReconcileCustomersInput,
): ScheduleOptions<ScheduleOptionsStartWorkflowAction<Workflow>> {
  return {
    scheduleId: s.scheduleId,
    spec: {
      cronExpressions: [s.cron],
      timezone: config.sync.timezone,
      jitter: config.sync.jitter,
    },
    action: {
      type: 'startWorkflow',
      workflowType: s.workflowType,
      taskQueue: config.temporal.taskQueue,
      args: [input],
      workflowId: s.idPrefix,
      typedSearchAttributes: [
        { key: SA.stream, value: s.stream },
        { key: SA.company, value: input.company },
        { key: SA.trigger, value: 'schedule' },
      ],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: config.sync.catchupWindow },
  };
}

/** The order reconciliation of the company (weekly by default): it reports, never repairs. */
export function reconcileScheduleOptions(
  config: AppConfig,
  company: string,
): ScheduleOptions<ScheduleOptionsStartWorkflowAction<Workflow>> {
  return reconcileSchedule(
    config,
    {
      scheduleId: reconcileScheduleId(company),
      cron: config.sync.reconcileCron,
      workflowType: RECONCILE_WORKFLOW_TYPE,
      idPrefix: scheduledReconcileIdPrefix(company),
      stream: 'orders',
    },
    { company, trigger: 'schedule' },
  );
}

/** The customer reconciliation (weekly by default): members of customers deleted in Sage (SYNC_CUSTOMER_DELETED). */
export function reconcileCustomersScheduleOptions(
  config: AppConfig,
  company: string,
): ScheduleOptions<ScheduleOptionsStartWorkflowAction<Workflow>> {
  return reconcileSchedule(
    config,
    {
      scheduleId: reconcileCustomersScheduleId(company),
      cron: config.sync.customerReconcileCron,
      workflowType: RECONCILE_CUSTOMERS_WORKFLOW_TYPE,
      idPrefix: scheduledReconcileCustomersIdPrefix(company),
      stream: 'customers',
    },
    { company, trigger: 'schedule' },
  );
}

export interface AppliedSchedule {
  scheduleId: string;
  stream: SyncStream;
  action: 'created' | 'updated';
}

/**
 * Creates the customer and order schedules (and with each, its reconciliation), or updates
 * them in place when they exist (an update keeps the schedule's state: pause flag, running actions,
 * history).
 */
export async function applySchedules(
  client: Client,
  config: AppConfig,
  company: string,
  streams: readonly SyncStream[] = SYNC_STREAMS,
): Promise<AppliedSchedule[]> {
  const applied: AppliedSchedule[] = [];
  const wanted = streams.map((stream) => ({ stream, options: scheduleOptionsFor(config, stream, company) }));
  if (streams.includes('orders'))
    wanted.push({ stream: 'orders', options: reconcileScheduleOptions(config, company) });
  if (streams.includes('customers'))
    wanted.push({ stream: 'customers', options: reconcileCustomersScheduleOptions(config, company) });
  for (const { stream, options } of wanted) {
    try {
      await client.schedule.create(options);
      applied.push({ scheduleId: options.scheduleId, stream, action: 'created' });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(options.scheduleId).update((previous) => ({
        ...previous,
        spec: options.spec,
        action: options.action,
        policies: { ...previous.policies, ...options.policies },
      }));
      applied.push({ scheduleId: options.scheduleId, stream, action: 'updated' });
    }
  }
  return applied;
}

export interface ScheduleSummary {
  scheduleId: string;
  paused: boolean;
  note?: string;
  timezone?: string;
  nextRuns: Date[];
  recentRuns: Array<{ workflowId: string; at: Date }>;
}

/**
 * The connector's schedules, those of one company when given (another company's schedules may be
 * encrypted with another deployment's key, and are not this one's to show).
 */
export async function listSchedules(client: Client, company?: string): Promise<ScheduleSummary[]> {
  const out: ScheduleSummary[] = [];
  for await (const s of client.schedule.list()) {
    if (!s.scheduleId.startsWith('ml-connector-')) continue;
    if (company && !s.scheduleId.endsWith(`-${company}`)) continue;
    const d = await client.schedule.getHandle(s.scheduleId).describe();
    out.push({
      scheduleId: s.scheduleId,
      paused: d.state.paused,
      note: d.state.note,
      timezone: d.spec.timezone,
      nextRuns: d.info.nextActionTimes.slice(0, 3),
      recentRuns: d.info.recentActions.slice(-3).map((a) => ({
        workflowId: a.action.workflow.workflowId,
        at: a.takenAt,
      })),
    });
  }
  return out;
}

/**
 * `customers` -> `ml-connector-customers-SAMINC`, `reconcile` -> the order reconciliation's schedule,
 * `reconcile-customers` -> the customer one; a full schedule ID as is.
 */
export function resolveScheduleId(nameOrStream: string, company: string): string {
  if (nameOrStream === 'reconcile') return reconcileScheduleId(company);
  if (nameOrStream === 'reconcile-customers') return reconcileCustomersScheduleId(company);
  return (SYNC_STREAMS as readonly string[]).includes(nameOrStream)
    ? scheduleId(nameOrStream as SyncStream, company)
    : nameOrStream;
}

export async function pauseSchedule(
  client: Client,
  id: string,
  note = 'paused with ml-connector',
): Promise<void> {
  await client.schedule.getHandle(id).pause(note);
}

export async function resumeSchedule(
  client: Client,
  id: string,
  note = 'resumed with ml-connector',
): Promise<void> {
  await client.schedule.getHandle(id).unpause(note);
}

/**
 * Runs the schedule's action now. Always with SKIP: the SDK's default for trigger() is ALLOW_ALL,
 * which would start a second job while one is running.
 */
export async function triggerSchedule(client: Client, id: string): Promise<void> {
  await client.schedule.getHandle(id).trigger(ScheduleOverlapPolicy.SKIP);
}

export async function deleteSchedule(client: Client, id: string): Promise<void> {
  await client.schedule.getHandle(id).delete();
}
