import type { WorkflowHandle } from '@temporalio/client';

export interface ScheduledActivity {
  type: string;
  heartbeatTimeoutSeconds: number;
  startToCloseTimeoutSeconds: number;
  scheduleToCloseTimeoutSeconds: number;
  maximumAttempts: number;
}

const seconds = (d: { seconds?: unknown } | null | undefined) => Number(d?.seconds ?? 0);

/** The activities a job scheduled, in order, with the timeouts the server enforces on them. */
export async function scheduledActivities(handle: WorkflowHandle): Promise<ScheduledActivity[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    if (!a) return [];
    return [
      {
        type: a.activityType?.name ?? '',
        heartbeatTimeoutSeconds: seconds(a.heartbeatTimeout),
        startToCloseTimeoutSeconds: seconds(a.startToCloseTimeout),
        scheduleToCloseTimeoutSeconds: seconds(a.scheduleToCloseTimeout),
        maximumAttempts: a.retryPolicy?.maximumAttempts ?? 0,
      },
    ];
  });
}
