import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { SA } from '../temporal/search-attributes.js';
import { repairPlan } from '../domain/reconcile/repair.js';
import {
  RECONCILE_WORKFLOW_TYPE,
  reconcileJobId,
  type ReconcileInput,
  type ReconcileResult,
} from '../workflows/reconcile-job.js';
import {
  RECONCILE_CUSTOMERS_WORKFLOW_TYPE,
  reconcileCustomersJobId,
  type ReconcileCustomersInput,
  type ReconcileCustomersResult,
} from '../workflows/reconcile-customers-job.js';
import type { SyncJobInput, SyncJobResult } from '../workflows/types.js';
import { StreamBusyError, findRunningJob, startSyncJob, type StartJobOptions } from './start-job.js';

type ReconcileHandle = WorkflowHandle<(i: ReconcileInput) => Promise<ReconcileResult>>;

/** Tries of a start whose job ID (second precision) another reconciliation already has. */
const ID_TRIES = 5;

/**
 * Starts a reconciliation job under the ID `idAt` gives for a time. Job IDs have second precision
 * and are never reused: a second reconciliation in the same second takes the next second's ID.
 */
async function startWithFreshId<I extends { company: string; trigger: string }, R>(
  client: Client,
  what: { workflowType: string; stream: 'orders' | 'customers'; idAt: (at: Date) => string },
  input: I,
  options: { taskQueue: string; at?: Date },
): Promise<WorkflowHandle<(i: I) => Promise<R>>> {
  const at = options.at ?? new Date();
  for (let attempt = 0; ; attempt++) {
    try {
      return await client.workflow.start<(i: I) => Promise<R>>(what.workflowType, {
        taskQueue: options.taskQueue,
        workflowId: what.idAt(new Date(at.getTime() + attempt * 1000)),
        args: [input],
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [
          { key: SA.stream, value: what.stream },
          { key: SA.company, value: input.company },
          { key: SA.trigger, value: input.trigger },
        ],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt + 1 >= ID_TRIES) throw err;
    }
  }
}

/** Starts an order reconciliation job (`reconcile-orders-SAMINC-manual-2026-11-28T10:15:00Z`). */
export function startReconciliation(
  client: Client,
  input: ReconcileInput,
  options: { taskQueue: string; at?: Date },
): Promise<ReconcileHandle> {
  return startWithFreshId<ReconcileInput, ReconcileResult>(
    client,
    {
      workflowType: RECONCILE_WORKFLOW_TYPE,
      stream: 'orders',
      idAt: (at) => reconcileJobId(input.company, at, input.trigger),
    },
    input,
    options,
  );
}

/** Starts a customer reconciliation job (`reconcile-customers-SAMINC-manual-2026-11-28T10:15:00Z`). */
export function startCustomerReconciliation(
  client: Client,
  input: ReconcileCustomersInput,
  options: { taskQueue: string; at?: Date },
): Promise<WorkflowHandle<(i: ReconcileCustomersInput) => Promise<ReconcileCustomersResult>>> {
  return startWithFreshId<ReconcileCustomersInput, ReconcileCustomersResult>(
    client,
    {
      workflowType: RECONCILE_CUSTOMERS_WORKFLOW_TYPE,
      stream: 'customers',
      idAt: (at) => reconcileCustomersJobId(input.company, at, input.trigger),
    },
    input,
    options,
  );
}

/** The result of a reconciliation (a scheduled one, say), waiting for it if it still runs. */
export async function readReconciliation(client: Client, jobId: string): Promise<ReconcileResult> {
  return (await client.workflow.getHandle(jobId).result()) as ReconcileResult;
}

export interface RepairOutcome {
  result: ReconcileResult;
  /** The order job re-sending the missing and different orders (none when nothing is to re-send). */
  job?: WorkflowHandle<(i: SyncJobInput) => Promise<SyncJobResult>>;
  resend: number[];
  /** Too many differences to repair one by one: nothing was cancelled or started. */
  truncated: boolean;
}

/**
 * `reconcile orders --repair`: a reconciliation that cancels the store orders gone from Sage (per
 * SYNC_RECONCILE_GONE), then ONE normal order job re-sending exactly the missing and different
 * orders by key, with its own audit trail, linked to the reconciliation by ReplayOfJobId. Refused
 * before anything is done while another order job of the company runs (`ifBusy: 'wait'` waits
 * for it before starting the order job instead).
 */
export async function reconcileAndRepair(
  client: Client,
  input: Omit<ReconcileInput, 'repair' | 'trigger'>,
  options: StartJobOptions,
): Promise<RepairOutcome> {
  if (options.ifBusy !== 'wait') {
    const running = await findRunningJob(client, 'orders', input.company);
    if (running) throw new StreamBusyError('orders', input.company, running);
  }
  const handle = await startReconciliation(
    client,
    { ...input, trigger: 'manual', repair: true },
    { taskQueue: options.taskQueue, ...(options.at ? { at: options.at } : {}) },
  );
  const result = await handle.result();
  if (result.truncated) return { result, resend: [], truncated: true };
  const { resend } = repairPlan(result);
  if (resend.length === 0) return { result, resend, truncated: false };
  const job = await startSyncJob(
    client,
    { stream: 'orders', company: input.company, trigger: 'replay', keys: resend, replayOf: result.jobId },
    options,
  );
  return { result, job, resend, truncated: false };
}
