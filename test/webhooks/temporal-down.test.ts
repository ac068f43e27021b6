import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.js';
import { parseFormBody } from '../../src/domain/webhooks/parse-form.js';
import { toWebhookEvent } from '../../src/domain/webhooks/event-schema.js';
import { webhookEventWorkflowId } from '../../src/domain/webhooks/event-id.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/starter/webhooks/receiver.js';
import {
  connectTestTemporal,
  createTestWorker,
  testServerAddress,
  type TemporalTestContext,
} from '../helpers/temporal.js';
import { testConfig } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';
import { formBody, postForm, TcpProxy, workflowExists } from './helpers.js';

const SECRET = 'down-secret-0123456789abcdef';

describe('webhook receiver while Temporal is unreachable', () => {
  let t: TemporalTestContext;
  let worker: Worker;
  let running: Promise<void>;
  let proxy: TcpProxy;
  let connection: Connection;
  let receiver: WebhookReceiver;
  const log = memoryLogger();

  beforeAll(async () => {
    t = await connectTestTemporal();
    worker = await createTestWorker(
      t,
      createActivities({ config: testConfig(), logger: log.logger, version: 't' }),
    );
    running = worker.run();
    const [host, port] = testServerAddress().split(':');
    // The receiver reaches the real server through a TCP forwarder we can take down and bring back.
    proxy = new TcpProxy({ host: host === 'localhost' ? '127.0.0.1' : host!, port: Number(port) });
    await proxy.up();
    connection = await Connection.connect({ address: proxy.address });
    receiver = await startWebhookReceiver({
      port: 0,
      host: '127.0.0.1',
      secret: SECRET,
      client: new Client({ connection, namespace: 'default' }),
      taskQueue: t.taskQueue,
      logger: log.logger,
      startTimeoutMs: 2000,
    });
  });

  afterAll(async () => {
    await receiver?.stop();
    await connection?.close().catch(() => undefined);
    await proxy?.down();
    worker?.shutdown();
    await running;
    await t?.close();
  });

  it('answers 503 within the bound while down, and records the retried delivery once Temporal is back', async () => {
    const body = formBody({
      type: 'unsubscribe',
      fired_at: '2026-11-27 19:00:00',
      'data[list_id]': 'a6b5da1054',
      'data[email]': 'leaving@maple.example',
      'data[action]': 'unsub',
      'data[reason]': 'manual',
      'data[campaign_id]': 'cb398d21d2',
    });
    await proxy.down();
    const started = Date.now();
    const down = await postForm(receiver.url, body);
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('30');
    // Well inside Mailchimp's 10 s.
    expect(Date.now() - started).toBeLessThan(8000);

    expect(await workflowExists(t.client, webhookEventWorkflowId(toWebhookEvent(parseFormBody(body))))).toBe(
      false,
    );

    await proxy.up();
    // Mailchimp retries at growing intervals; here every half second until the event is accepted.
    let accepted: { workflowId: string } | undefined;
    const deadline = Date.now() + 45_000;
    while (!accepted && Date.now() < deadline) {
      const res = await postForm(receiver.url, body);
      if (res.status === 200) accepted = JSON.parse(res.body) as { workflowId: string };
      else {
        expect(res.status).toBe(503);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    expect(accepted).toBeDefined();
    const result = await t.client.workflow.getHandle(accepted!.workflowId).result();
    expect(result).toMatchObject({
      type: 'unsubscribe',
      email: 'l***@m***.example',
      detail: { action: 'unsub' },
    });
    expect(await workflowExists(t.client, accepted!.workflowId)).toBe(true);
    const again = await postForm(receiver.url, body);
    expect(JSON.parse(again.body)).toMatchObject({ workflowId: accepted!.workflowId, duplicate: true });
    expect(log.lines.some((l) => l.includes('Temporal unreachable'))).toBe(true);
  }, 90_000);
});
