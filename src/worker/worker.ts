import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { siblingModule } from '../shared/paths.js';
import type { ConnectorActivities } from '../activities/index.js';

export interface ConnectorWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: ConnectorActivities;
  dataConverter?: DataConverter;
  /** Default: the workflows next to this module (dist/ when built, src/ under jest). */
  workflowsPath?: string;
  shutdownGraceTime?: WorkerOptions['shutdownGraceTime'];
  /** Extra options, for example tuning in benchmarks. */
  tuning?: Pick<
    WorkerOptions,
    'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows'
  >;
}

export function defaultWorkflowsPath(): string {
  return siblingModule(import.meta.url, '../workflows/index');
}

export async function createConnectorWorker(options: ConnectorWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowsPath: options.workflowsPath ?? defaultWorkflowsPath(),
    activities: options.activities,
    dataConverter: options.dataConverter,
    // Running activities finish their page before the worker exits; the cursor they return is kept.
    shutdownGraceTime: options.shutdownGraceTime ?? '30s',
    // A page resumes from the last checkpoint the server got. The SDK otherwise holds heartbeats
    // back for 80% of the heartbeat timeout (24 s), so a killed worker's page would redo up to 24 s
    // of writes; 2 s keeps that small for a few small heartbeat calls more per page.
    maxHeartbeatThrottleInterval: '2s',
    ...options.tuning,
  });
}
