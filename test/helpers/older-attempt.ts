import { activityInfo, heartbeat } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';

/**
 * Inside an activity: heartbeats `details` as an attempt of an older worker would, waits until the
 * server holds them, then fails the attempt (retryable): Temporal hands them to the next attempt.
 */
export async function stopAfterHeartbeat(client: Client, details: unknown): Promise<never> {
  heartbeat(details);
  const { workflowExecution, activityId } = activityInfo();
  for (;;) {
    const d = await client.workflow.getHandle(workflowExecution!.workflowId).describe();
    const pending = d.raw.pendingActivities?.find((a) => a.activityId === activityId);
    if (pending?.heartbeatDetails?.payloads?.length) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw ApplicationFailure.retryable('the older worker stopped here', 'WorkerGone');
}
