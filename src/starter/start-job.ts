import type { Client, WorkflowHandle } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { SA } from '../temporal/search-attributes.js';
import { jobId as makeJobId } from '../workflows/job-id.js';
import { WORKFLOW_TYPE, type SyncJobInput, type SyncJobResult } from '../workflows/types.js';

export interface StartJobOptions {
  taskQueue: string;
  /** Default: now. */
  at?: Date;
}

/** Starts a job outside any schedule (manual, replay, sandbox); its workflow ID is its job ID. */
export async function startSyncJob(
  client: Client,
  input: SyncJobInput,
  options: StartJobOptions,
): Promise<WorkflowHandle<(i: SyncJobInput) => Promise<SyncJobResult>>> {
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
    ...(input.replayOf ? { memo: { replayOf: input.replayOf } } : {}),
  });
}
