import { activityInfo, getClient } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import type { ActivityDeps } from './deps.js';
import { syncStateId } from '../workflows/job-id.js';
import {
  claimStreamUpdate,
  commitWatermarkUpdate,
  releaseStreamUpdate,
  type StreamClaim,
  type StreamClaimAnswer,
  watermarkQuery,
} from '../workflows/messages.js';
import type { SyncStream, Watermark, WatermarkCandidate } from '../workflows/types.js';

export type WatermarkSummary = Omit<Watermark, 'fingerprints'> & { fingerprintCount: number };

function temporalClient(deps: Pick<ActivityDeps, 'temporalClient'>): Client {
  return deps.temporalClient ?? getClient();
}

/** The committed watermark of a stream and company, or undefined before its first successful job. */
export async function loadWatermark(
  client: Client,
  stream: SyncStream,
  company: string,
): Promise<Watermark | undefined> {
  try {
    return await client.workflow.getHandle(syncStateId(stream, company)).query(watermarkQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** Sends an update to a stream's syncState entity, creating the entity if it does not exist yet. */
function updateSyncState<Ret, Arg>(
  client: Client,
  update: UpdateDefinition<Ret, [Arg]>,
  target: { stream: SyncStream; company: string },
  arg: Arg,
): Promise<Ret> {
  return client.workflow.executeUpdateWithStart(update, {
    args: [arg],
    startWorkflowOperation: new WithStartWorkflowOperation('syncStateWorkflow', {
      workflowId: syncStateId(target.stream, target.company),
      taskQueue: activityInfo().taskQueue,
      args: [{ stream: target.stream, company: target.company }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    }),
  });
}

/** Whether a job is still running (a holder that ended without releasing can be taken over). */
async function isRunning(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** Reading and committing watermarks, claiming and releasing streams: the jobs' side of the syncState entity. */
export function createSyncStateActivities(deps: Pick<ActivityDeps, 'temporalClient' | 'logger'>) {
  return {
    /**
     * One job at a time per stream and company. A holder that ended without releasing (terminated,
     * timed out) is taken over; a running one refuses this job with its name, not retried.
     */
    async claimStream(args: { stream: SyncStream; company: string; jobId: string }): Promise<void> {
      const client = temporalClient(deps);
      const claim = (c: StreamClaim): Promise<StreamClaimAnswer> =>
        updateSyncState(client, claimStreamUpdate, args, c);
      let answer = await claim({ jobId: args.jobId });
      if (!answer.granted && answer.holder && !(await isRunning(client, answer.holder))) {
        deps.logger.warn(
          { jobId: args.jobId, stream: args.stream, company: args.company, previous: answer.holder },
          'taking over a stream whose job ended without releasing it',
        );
        answer = await claim({ jobId: args.jobId, takeOverFrom: answer.holder });
      }
      if (!answer.granted) {
        throw ApplicationFailure.nonRetryable(
          `${args.stream} of ${args.company} is already being synced by job ${answer.holder}: ` +
            `this job did nothing. Wait for that job (npx ml-connector sync ${args.stream} --wait waits ` +
            `for it and then runs) or cancel it (temporal workflow cancel --workflow-id ${answer.holder}).`,
          'StreamBusyError',
        );
      }
    },

    async releaseStream(args: { stream: SyncStream; company: string; jobId: string }): Promise<void> {
      await updateSyncState(temporalClient(deps), releaseStreamUpdate, args, { jobId: args.jobId });
    },

    /** Summary only: the fingerprints stay out of the job's history (page activities fetch them). */
    async readWatermark(args: {
      stream: SyncStream;
      company: string;
    }): Promise<WatermarkSummary | undefined> {
      const wm = await loadWatermark(temporalClient(deps), args.stream, args.company);
      if (!wm) return undefined;
      const { fingerprints, ...rest } = wm;
      return { ...rest, fingerprintCount: fingerprints.length };
    },

    /**
     * Update-with-start: creates the entity on the first commit, and returns only once the entity
     * applied it (a commit that fails fails the job). Called only by a job that has finished every
     * page, so a failed job never moves the watermark.
     */
    async commitWatermark(args: {
      stream: SyncStream;
      company: string;
      jobId: string;
      watermark: WatermarkCandidate;
    }): Promise<void> {
      if (!args.watermark.day) return;
      await updateSyncState(temporalClient(deps), commitWatermarkUpdate, args, {
        ...args.watermark,
        jobId: args.jobId,
        committedAt: new Date().toISOString(),
      });
      deps.logger.info(
        { stream: args.stream, company: args.company, jobId: args.jobId, day: args.watermark.day },
        'watermark committed',
      );
    },
  };
}
