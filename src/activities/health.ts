import { activityInfo } from '@temporalio/activity';
import { hostname } from 'node:os';

/** Proves a worker is polling the task queue and reports what it runs; used by `check` and the first test. */
export function createHealthActivities(deps: { version: string }) {
  return {
    async describeWorker(
      echo: string,
    ): Promise<{ echo: string; version: string; host: string; taskQueue: string }> {
      return { echo, version: deps.version, host: hostname(), taskQueue: activityInfo().taskQueue };
    },
  };
}
