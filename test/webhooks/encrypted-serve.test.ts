import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.js';
import { createDataConverter } from '../../src/temporal/data-converter.js';
import {
  openWebhookService,
  startConfiguredWebhookReceiver,
  type WebhookService,
} from '../../src/starter/webhooks/serve.js';
import { listWebhookEvents } from '../../src/starter/webhooks/audit-events.js';
import type { AppConfig } from '../../src/config/index.js';
import {
  connectTestTemporal,
  createTestWorker,
  testServerAddress,
  type TemporalTestContext,
} from '../helpers/temporal.js';
import { testConfig } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';
import { dumpHistories, scanForSecrets } from '../helpers/leak-scan.js';
import { eventually, formBody, postForm } from './helpers.js';

const SECRET = `enc-${randomBytes(12).toString('hex')}`;

describe('`webhooks serve` service with the encrypting data converter', () => {
  let t: TemporalTestContext;
  let worker: Worker;
  let running: Promise<void>;
  let service: WebhookService;
  let config: AppConfig;
  let dataConverter: DataConverter;
  const log = memoryLogger();

  beforeAll(async () => {
    t = await connectTestTemporal();
    config = testConfig({
      TEMPORAL_ADDRESS: testServerAddress(),
      ML_CONNECTOR_TASK_QUEUE: t.taskQueue,
      ML_CONNECTOR_MASTER_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_SECRET: SECRET,
    });
    dataConverter = await createDataConverter(config);
    worker = await createTestWorker(t, createActivities({ config, logger: log.logger, version: 't' }), {
      dataConverter,
    });
    running = worker.run();
    service = await openWebhookService({ config, logger: log.logger, port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await service?.close();
    worker?.shutdown();
    await running;
    await t?.close();
  });

  it('records the event with its input and memo encrypted, and the audit listing still reads it', async () => {
    const email = `hidden.${randomBytes(3).toString('hex')}@maplehardware.com`;
    const body = formBody({
      type: 'profile',
      fired_at: '2026-11-27 20:00:00',
      'data[id]': '0a1b2c3d4e',
      'data[list_id]': 'encList01',
      'data[email]': email,
      'data[merges][FNAME]': 'Hidden',
      'data[merges][PHONE]': '+1 555 0100',
    });
    const res = await postForm(service.receiver.url, body);
    expect(res.status).toBe(200);
    const { workflowId } = JSON.parse(res.body) as { workflowId: string };
    expect(await service.client.workflow.getHandle(workflowId).result()).toMatchObject({
      type: 'profile',
      email: 'h***@m***.com',
    });

    const raw = new Client({ connection: t.client.connection, namespace: 'default' });
    const stored = await dumpHistories(raw, `WorkflowId = "${workflowId}"`);
    expect(stored).toContain(workflowId);
    expect(scanForSecrets(stored, [email, '+1 555 0100', 'h***@m***.com', SECRET])).toEqual([]);

    const events = await eventually(async () => {
      const found = await listWebhookEvents(service.client, {
        type: 'profile',
        since: new Date(Date.now() - 60_000),
      });
      return found.some((e) => e.workflowId === workflowId) ? found : undefined;
    });
    expect(events.find((e) => e.workflowId === workflowId)).toMatchObject({
      listId: 'encList01',
      email: 'h***@m***.com',
      status: 'COMPLETED',
    });

    // A client without the key still lists the event (type, list, time from search attributes), it
    // just cannot read the encrypted summary; one such record never hides the others.
    const blind = await listWebhookEvents(raw, { type: 'profile', listId: 'encList01' });
    expect(blind).toHaveLength(1);
    expect(blind[0]).toMatchObject({ workflowId, type: 'profile', listId: 'encList01', status: 'COMPLETED' });
    expect(blind[0]!.email).toBeUndefined();
    expect(blind[0]!.problem).toMatch(/not readable/);
  });

  it('start wiring: no receiver without WEBHOOK_PORT; a clear error with a port but no secret', async () => {
    const noPort = testConfig({});
    expect(
      await startConfiguredWebhookReceiver({ config: noPort, client: t.client, logger: log.logger }),
    ).toBeUndefined();
    await expect(
      startConfiguredWebhookReceiver({ config: noPort, client: t.client, logger: log.logger, port: 0 }),
    ).rejects.toThrow(/WEBHOOK_SECRET is not/);
  });
});
