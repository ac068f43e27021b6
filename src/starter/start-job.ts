import type { Client, WorkflowHandle } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { SA } from '../temporal/search-attributes.js';
import { jobId as makeJobId } from '../workflows/job-id.js';
import { WORKFLOW_TYPE, type JobMemo, type SyncJobInput, type SyncJobResult } from '../workflows/types.js';

/** The memo a job starts with: who started it, for which company, and what it replays. */
export function startMemo(input: Pick<SyncJobInput, 'stream' | 'company' | 'trigger' | 'replayOf'>): JobMemo {
  return {
    stream: input.stream,
    company: input.company,
    trigger: input.trigger,
    ...(input.replayOf ? { replayOf: input.replayOf } : {}),
  };
}

export interface StartJobOptions {
  taskQueue: string;
  /** Default: now. */
  at?: Date;
  /**
   * When a job of the same stream and company is running: `refuse` (default) throws
   * StreamBusyError naming it; `wait` waits for it to end, then starts.
   */
  ifBusy?: 'refuse' | 'wait';
  /** Told once when `wait` starts waiting. */
  onWait?: (runningJobId: string) => void;
}

/** Another job of the same stream and company is running: this one was not started. */
export class StreamBusyError extends Error {
  override readonly name = 'StreamBusyError';
  constructor(
    readonly stream: string,
    readonly company: string,
    readonly runningJobId: string,
  ) {
    super(
      `${stream} of ${company} is already being synced by job ${runningJobId}; nothing was started. ` +
        `Add --wait to wait for it and then run, or cancel it: temporal workflow cancel --workflow-id ${runningJobId}`,
    );
  }
}

/**
 * The running job of a stream and company, from visibility (no worker needed to answer). The jobs
 * themselves claim the stream before doing anything, so a race past this check is still refused.
 */
export async function findRunningJob(
  client: Client,
  stream: SyncJobInput['stream'],
  company: string,
): Promise<string | undefined> {
  const query =
    `WorkflowType = '${WORKFLOW_TYPE[stream]}' AND ${SA.company.name} = '${company.replace(/'/g, "''")}' ` +
    `AND ExecutionStatus = 'Running'`;
  for await (const wf of client.workflow.list({ query, pageSize: 1 })) return wf.workflowId;
  return undefined;
}

/** Starts a job outside any schedule (manual, replay, sandbox); its workflow ID is its job ID. */
export async function startSyncJob(
  client: Client,
  input: SyncJobInput,
  options: StartJobOptions,
): Promise<WorkflowHandle<(i: SyncJobInput) => Promise<SyncJobResult>>> {
  for (let waited = false; ;) {
    const running = await findRunningJob(client, input.stream, input.company);
    if (!running) break;
    if (options.ifBusy !== 'wait') throw new StreamBusyError(input.stream, input.company, running);
    if (!waited) options.onWait?.(running);
    waited = true;
    await client.workflow
      .getHandle(running)
      .result()
      .catch(() => undefined); // its outcome is its own; this job only waits for the stream
  }
  const id = makeJobId(input.stream, input.company, options.at ?? new Date(), input.trigger);
  const attributes: SearchAttributePair[] = [
    { key: SA.stream, value: input.stream },
    { key: SA.company, value: input.company },
    { key: SA.trigger, value: input.trigger },
  ];
  if (input.replayOf) attributes.push({ key: SA.replayOf, value: input.replayOf });
  return client.workflow.start<(i: SyncJobInput) => Promise<SyncJobResult>>(WORKFLOW_TYPE[input.stream], {
    taskQueue: options.taskQueue,
    workflowId: id,
    args: [input],
    // A second `sync` in the same second must not silently attach to the first.
    workflowIdConflictPolicy: 'FAIL',
    typedSearchAttributes: attributes,
    // Read in the Temporal UI; the job adds its status and counts when it ends.
    memo: { ...startMemo(input) },
  });
}
