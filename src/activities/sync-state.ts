import { activityInfo, getClient } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ActivityDeps } from './deps.js';
import { syncStateId } from '../workflows/job-id.js';
import { commitWatermarkSignal, watermarkQuery } from '../workflows/messages.js';
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

/** Reading and committing watermarks: the jobs' side of the syncState entity. */
export function createSyncStateActivities(deps: Pick<ActivityDeps, 'temporalClient' | 'logger'>) {
  return {
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
     * Signal-with-start: creates the entity on the first commit. Called only by a job that has
     * finished every page, so a failed job never moves the watermark.
     */
    async commitWatermark(args: {
      stream: SyncStream;
      company: string;
      jobId: string;
      watermark: WatermarkCandidate;
    }): Promise<void> {
      if (!args.watermark.day) return;
      await temporalClient(deps).workflow.signalWithStart('syncStateWorkflow', {
        workflowId: syncStateId(args.stream, args.company),
        taskQueue: activityInfo().taskQueue,
        args: [{ stream: args.stream, company: args.company }],
        signal: commitWatermarkSignal,
        signalArgs: [{ ...args.watermark, jobId: args.jobId, committedAt: new Date().toISOString() }],
      });
      deps.logger.info(
        { stream: args.stream, company: args.company, jobId: args.jobId, day: args.watermark.day },
        'watermark committed',
      );
    },
  };
}
