import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createConnectorWorker } from '../../src/worker/worker.js';
import type { ConnectorActivities } from '../../src/activities/index.js';

export function testServerAddress(): string {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address)
    throw new Error(
      'TEMPORAL_TEST_ADDRESS is not set: run the tests through jest (global setup starts Temporal)',
    );
  return address;
}

export interface TemporalTestContext {
  client: Client;
  nativeConnection: NativeConnection;
  taskQueue: string;
  close(): Promise<void>;
}

/** A client and a worker connection to the run's Temporal server, with a task queue of its own. */
export async function connectTestTemporal(
  options: { dataConverter?: DataConverter } = {},
): Promise<TemporalTestContext> {
  const address = testServerAddress();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: 'default', dataConverter: options.dataConverter });
  const nativeConnection = await NativeConnection.connect({ address });
  return {
    client,
    nativeConnection,
    taskQueue: `test-${randomUUID()}`,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

export async function createTestWorker(
  ctx: TemporalTestContext,
  activities: ConnectorActivities,
  options: { dataConverter?: DataConverter; taskQueue?: string } = {},
): Promise<Worker> {
  return createConnectorWorker({
    connection: ctx.nativeConnection,
    namespace: 'default',
    taskQueue: options.taskQueue ?? ctx.taskQueue,
    activities,
    dataConverter: options.dataConverter,
    shutdownGraceTime: '1s',
  });
}
