import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { defaultPayloadConverter } from '@temporalio/common';
import { startCodecServer, type CodecServer } from '../../src/security/codec-server.js';
import { EncryptionCodec } from '../../src/security/payload-codec.js';
import { keyringOf, payloadKeyFor } from '../../src/security/keyring.js';
import { masterKeyFrom } from '../../src/security/master-key.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/starter/webhooks/receiver.js';
import { connectTestTemporal, type TemporalTestContext } from '../helpers/temporal.js';
import { memoryLogger } from '../helpers/logger.js';
import { formBody, httpRequest, postForm } from '../webhooks/helpers.js';

const TOKEN = randomBytes(24).toString('base64url');
const LIVENESS_MS = 1000;

/**
 * In `start` the codec server, the webhook receiver and the worker share one event loop. A codec
 * request of any size must leave the receiver answering: webhook events are sent on a fixed
 * schedule while it runs and each must be answered, and the loop's longest stall during the work
 * (what would hold back a webhook answer or a heartbeat) stays under a second. The stall is
 * measured rather than the webhooks' round trips, which also wait on Temporal and on whatever
 * else the machine runs.
 */
describe('a huge codec request next to the webhook receiver, in one process', () => {
  let t: TemporalTestContext;
  let codecServer: CodecServer;
  let receiver: WebhookReceiver;
  let n = 0;

  beforeAll(async () => {
    t = await connectTestTemporal();
    const codec = new EncryptionCodec(keyringOf(payloadKeyFor(masterKeyFrom(randomBytes(32), 'env'))));
    codecServer = await startCodecServer({ codec, token: TOKEN, corsOrigin: 'http://127.0.0.1:8233' });
    receiver = await startWebhookReceiver({
      port: 0,
      host: '127.0.0.1',
      secret: 'load-test-secret-0123456789',
      client: t.client,
      taskQueue: t.taskQueue,
      logger: memoryLogger('error').logger,
    });
  });
  afterAll(async () => {
    await receiver?.stop();
    await codecServer?.close();
    await t?.close();
  });

  /** Sends webhooks every 100 ms while `work` runs; all must be answered. Returns the loop's longest stall in ms. */
  async function loopStallDuring(work: Promise<unknown>): Promise<number> {
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    let done = false;
    void work.finally(() => (done = true));
    const started = performance.now();
    const answers: Promise<void>[] = [];
    for (let k = 0; !done || k < 3; k++) {
      const due = started + k * 100;
      await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
      const body = formBody({
        type: 'unsubscribe',
        fired_at: '2026-11-20 10:00:00',
        'data[list_id]': 'a6b5da1054',
        'data[email]': `load-${process.pid}-${n++}@maple.example`,
        'data[action]': 'unsub',
        'data[reason]': 'manual',
      });
      answers.push(
        postForm(receiver.url, body).then((res) => {
          expect(res.status).toBe(200);
        }),
      );
    }
    await work;
    stalls.disable();
    await Promise.all(answers);
    return stalls.max / 1e6; // the histogram counts nanoseconds
  }

  const codecPost = (path: string, body: string) =>
    httpRequest(`${codecServer.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body,
    });

  it('refuses a million payloads without holding up a concurrent webhook request for a second', async () => {
    const million = `{"payloads":[${'{},'.repeat(999_999)}{}]}`;
    const answer = codecPost('/decode', million);
    const stallMs = await loopStallDuring(answer);
    const res = await answer;
    expect(res.status).toBe(413);
    expect(res.body).toContain('too many payloads');
    expect(stallMs).toBeLessThan(LIVENESS_MS);
  }, 60_000);

  it('serves its largest allowed request without holding up a concurrent webhook request for a second', async () => {
    const payload = defaultPayloadConverter.toPayload({ note: 'x'.repeat(200) })!;
    const one = {
      metadata: { encoding: Buffer.from(payload.metadata!.encoding!).toString('base64') },
      data: Buffer.from(payload.data!).toString('base64'),
    };
    const body = JSON.stringify({ payloads: Array.from({ length: 10_000 }, () => one) });
    const encode = codecPost('/encode', body);
    const stallMs = await loopStallDuring(encode);
    const res = await encode;
    expect(res.status).toBe(200);
    expect((JSON.parse(res.body) as { payloads: unknown[] }).payloads).toHaveLength(10_000);
    expect(stallMs).toBeLessThan(LIVENESS_MS);
  }, 60_000);
});
