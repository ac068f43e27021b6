import { proxyActivities } from '@temporalio/workflow';
import type { ConnectorActivities } from '../activities/index.js';

const { describeWorker } = proxyActivities<ConnectorActivities>({
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 3 },
});

/** A round trip through the task queue: proves a worker is polling and can run activities. */
export async function healthCheck(
  echo: string,
): Promise<{ echo: string; version: string; host: string; taskQueue: string }> {
  return describeWorker(echo);
}
