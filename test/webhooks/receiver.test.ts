import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.js';
import { SA } from '../../src/temporal/search-attributes.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/starter/webhooks/receiver.js';
import { parseFormBody } from '../../src/domain/webhooks/parse-form.js';
import { toWebhookEvent } from '../../src/domain/webhooks/event-schema.js';
import { webhookEventWorkflowId } from '../../src/domain/webhooks/event-id.js';
import { PROMPT_DELIVERY_MS } from '../../src/domain/webhooks/occurrences.js';
import { formatWebhookEvents, listWebhookEvents } from '../../src/starter/webhooks/audit-events.js';
import type { WebhookEventRecord } from '../../src/domain/webhooks/summary.js';
import { connectTestTemporal, createTestWorker, type TemporalTestContext } from '../helpers/temporal.js';
import { testConfig } from '../helpers/config.js';
import { memoryLogger } from '../helpers/logger.js';
import { maybeRecordHistory } from '../helpers/histories.js';
import { eventually, formBody, httpRequest, postForm, workflowExists } from './helpers.js';

const SECRET = 'test-secret-0123456789abcdef';
const LIST = 'a6b5da1054';

function subscribeBody(email: string, extra: Record<string, string> = {}): string {
  return formBody({
    type: 'subscribe',
    fired_at: '2026-11-27 14:30:00',
    'data[id]': '8a25ff1d98',
    'data[list_id]': LIST,
    'data[email]': email,
    'data[email_type]': 'html',
    'data[merges][EMAIL]': email,
    'data[merges][FNAME]': 'Zoë',
    'data[merges][LNAME]': 'Ångström',
    'data[merges][GROUPINGS][0][name]': 'Topics',
    'data[merges][GROUPINGS][0][groups]': 'News, Offers',
    ...extra,
  });
}

function idOf(body: string): string {
  return webhookEventWorkflowId(toWebhookEvent(parseFormBody(body)));
}

describe('webhook receiver against a real Temporal server', () => {
  let t: TemporalTestContext;
  let worker: Worker;
  let running: Promise<void>;
  let receiver: WebhookReceiver;
  const log = memoryLogger();

  beforeAll(async () => {
    t = await connectTestTemporal();
    worker = await createTestWorker(
      t,
      createActivities({ config: testConfig(), logger: log.logger, version: 't' }),
    );
    running = worker.run();
    receiver = await startWebhookReceiver({
      port: 0,
      host: '127.0.0.1',
      secret: SECRET,
      client: t.client,
      taskQueue: t.taskQueue,
      logger: log.logger,
      maxBodyBytes: 4096,
    });
  });

  afterAll(async () => {
    await receiver?.stop();
    worker?.shutdown();
    await running;
    await t?.close();
  });

  it('answers Mailchimp GET validation (and HEAD) with 200', async () => {
    const res = await httpRequest(receiver.url, {
      headers: { 'user-agent': 'MailChimp.com WebHook Validator' },
    });
    expect(res.status).toBe(200);
    expect((await httpRequest(receiver.url, { method: 'HEAD' })).status).toBe(200);
  });

  it('records a subscribe event as a workflow with search attributes and a masked summary', async () => {
    const body = subscribeBody('zoe.angstrom@maple.example');
    const res = await postForm(receiver.url, body);
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.body) as { workflowId: string; duplicate: boolean };
    expect(answer.workflowId).toBe(idOf(body));
    expect(answer.workflowId).toMatch(/^webhook-subscribe-[0-9a-f]{32}$/);
    const handle = t.client.workflow.getHandle(answer.workflowId);
    const result = (await handle.result()) as WebhookEventRecord;
    expect(result).toEqual({
      type: 'subscribe',
      firedAt: '2026-11-27 14:30:00',
      listId: LIST,
      email: 'z***@m***.example',
      detail: { memberId: '8a25ff1d98', emailType: 'html', mergeFields: 'EMAIL,FNAME,GROUPINGS,LNAME' },
    });
    await maybeRecordHistory(handle, 'recordWebhookEvent');
    const description = await handle.describe();
    expect(description.type).toBe('recordWebhookEvent');
    expect(description.typedSearchAttributes.get(SA.eventType)).toBe('subscribe');
    expect(description.typedSearchAttributes.get(SA.listId)).toBe(LIST);
    // The full event is the workflow input (the payload codec encrypts it); emails never reach search attributes.
    expect(JSON.stringify(description.typedSearchAttributes.toJSON())).not.toContain('maple.example');
    expect(log.lines.join('\n')).not.toContain('zoe.angstrom@maple.example');
    expect(log.lines.join('\n')).not.toContain(SECRET);
  });

  it('records a duplicate delivery once and answers 200 both times', async () => {
    const body = subscribeBody('dup@maple.example', { fired_at: '2026-11-27 15:00:00' });
    const first = await postForm(receiver.url, body);
    expect(first.status).toBe(200);
    const { workflowId } = JSON.parse(first.body) as { workflowId: string };
    await t.client.workflow.getHandle(workflowId).result();
    const second = await postForm(receiver.url, body);
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body)).toMatchObject({ workflowId, duplicate: true });
    // Same content in another field order is the same event.
    const reordered = body.split('&').reverse().join('&');
    expect(JSON.parse((await postForm(receiver.url, reordered)).body)).toMatchObject({
      workflowId,
      duplicate: true,
    });
    const runs = await eventually(async () => {
      const n = (await t.client.workflow.count(`WorkflowId = "${workflowId}"`)).count;
      return n > 0 ? n : undefined;
    });
    expect(runs).toBe(1);
  });

  it('records two events with the same content in one second twice, and a later redelivery once', async () => {
    // Mailchimp delivers as an event fires; this one fired 8-9 s ago, inside its 10 s window.
    const fired = new Date(Math.floor(Date.now() / 1000) * 1000 - 8000);
    const body = formBody({
      type: 'profile',
      fired_at: fired.toISOString().slice(0, 19).replace('T', ' '),
      'data[id]': '8a25ff1d98',
      'data[list_id]': LIST,
      'data[email]': 'twice@maple.example',
      'data[merges][FNAME]': 'Twice',
    });
    const base = idOf(body);
    const both = await Promise.all([postForm(receiver.url, body), postForm(receiver.url, body)]);
    const answers = both.map((r) => JSON.parse(r.body) as { workflowId: string; duplicate: boolean });
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(answers.map((a) => a.workflowId).sort()).toEqual([base, `${base}-2`]);
    expect(answers.every((a) => !a.duplicate)).toBe(true);

    // Mailchimp's retry of a delivery it saw fail comes after its 10 s timeout: the same event again.
    await new Promise((r) => setTimeout(r, fired.getTime() + PROMPT_DELIVERY_MS + 200 - Date.now()));
    const retry = await postForm(receiver.url, body);
    expect(retry.status).toBe(200);
    expect(JSON.parse(retry.body)).toMatchObject({ workflowId: base, duplicate: true });
    const runs = await eventually(async () => {
      const n = (await t.client.workflow.count(`WorkflowId = "${base}" OR WorkflowId = "${base}-2"`)).count;
      return n >= 2 ? n : undefined;
    });
    expect(runs).toBe(2);
  });

  it('logs requests without the secret once a minute per status, not once per request', async () => {
    const quiet = memoryLogger();
    const other = await startWebhookReceiver({
      port: 0,
      host: '127.0.0.1',
      secret: SECRET,
      client: t.client,
      taskQueue: t.taskQueue,
      logger: quiet.logger,
    });
    try {
      const base = other.url.slice(0, other.url.lastIndexOf('/'));
      for (let i = 0; i < 100; i++) {
        expect((await httpRequest(`${base}/guess-${i}-0123456789abcdef`)).status).toBe(401);
        expect((await httpRequest(other.url.replace('/mailchimp/webhook', `/probe-${i}`))).status).toBe(404);
      }
      const warned = quiet.lines
        .map((l) => JSON.parse(l) as { level: number; status?: number; heldBack?: number; msg: string })
        .filter((l) => l.level === 40 && /rejected/.test(l.msg));
      expect(warned.map((l) => [l.status, l.heldBack])).toEqual([
        [401, 0],
        [404, 0],
      ]);
      expect(quiet.lines.join('\n')).not.toMatch(/guess-|0123456789abcdef/);
    } finally {
      await other.stop();
    }
  });

  it('rejects a wrong or missing secret with 401 and records nothing', async () => {
    const body = subscribeBody('intruder@maple.example', { fired_at: '2026-11-27 16:00:00' });
    const base = receiver.url.slice(0, receiver.url.lastIndexOf('/'));
    for (const url of [
      `${base}/wrong-secret-0123456789abcdef`,
      `${base}/`,
      base,
      `${base}/${SECRET.slice(0, -1)}`,
    ]) {
      const res = await postForm(url, body);
      expect(res.status).toBe(401);
      expect((await httpRequest(url)).status).toBe(401);
    }
    expect((await postForm(`${base}/${SECRET}/extra`, body)).status).toBe(401);
    expect((await httpRequest(receiver.url.replace('/mailchimp/webhook', '/other'))).status).toBe(404);
    expect(await workflowExists(t.client, idOf(body))).toBe(false);
  });

  it('rejects bad input with a precise 4xx and records nothing', async () => {
    const valid = subscribeBody('bad.input@maple.example', { fired_at: '2026-11-27 17:00:00' });
    const put = await httpRequest(receiver.url, {
      method: 'PUT',
      body: valid,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD, POST');
    expect((await httpRequest(receiver.url, { method: 'DELETE' })).status).toBe(405);

    expect((await postForm(receiver.url, valid, 'application/json')).status).toBe(415);
    expect((await postForm(receiver.url, valid, 'text/plain')).status).toBe(415);
    expect(
      (await postForm(receiver.url, valid, 'application/x-www-form-urlencoded; charset=UTF-8')).status,
    ).toBe(200);
    await t.client.workflow.getHandle(idOf(valid)).result();

    const malformed = await postForm(receiver.url, 'type=subscribe&data[list_id=1');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatch(/malformed form body/);
    expect((await postForm(receiver.url, 'type=subscribe&fired_at=%ZZ')).status).toBe(400);
    const unknown = await postForm(receiver.url, 'type=order_created&fired_at=2026-11-27+14%3A30%3A00');
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body).error).toMatch(/unknown event type "order_created"/);
    const missing = await postForm(
      receiver.url,
      'type=cleaned&fired_at=2026-11-27+14%3A30%3A00&data[list_id]=L',
    );
    expect(missing.status).toBe(400);
    expect(missing.body).toMatch(/data\.email/);

    const big = subscribeBody('big@maple.example', { 'data[merges][NOTES]': 'x'.repeat(10_000) });
    expect((await postForm(receiver.url, big)).status).toBe(413);
    // Without a Content-Length (chunked upload), the limit is enforced while reading.
    const chunked = await httpRequest(receiver.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' },
      body: big,
    });
    expect(chunked.status).toBe(413);
    expect(await workflowExists(t.client, idOf(big))).toBe(false);
    expect(
      await workflowExists(t.client, idOf(subscribeBody('x@y.example', { fired_at: '2026-11-27 17:00:01' }))),
    ).toBe(false);
  });

  it('never crashes on random input', async () => {
    let seed = 7;
    const statuses = new Set<number>();
    for (let i = 0; i < 150; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const bytes = randomBytes(seed % 300);
      // Mix raw random bytes with random-but-form-shaped text.
      const body =
        i % 2 === 0
          ? bytes
          : Buffer.from(
              `type=${['subscribe', 'cleaned', 'x', '%'][i % 4]}&data[${bytes.toString('base64').slice(0, 12)}]=${bytes.toString('latin1')}`,
              'latin1',
            );
      const res = await httpRequest(receiver.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      statuses.add(res.status);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    // A client that hangs up halfway through its body.
    const { port, pathname } = new URL(receiver.url);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST ${pathname} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\ntype=subscr`,
        );
        setTimeout(() => (socket.destroy(), resolve()), 100);
      });
    });
    await eventually(async () =>
      log.lines.some((l) => l.includes('body cut short') && l.includes('"level":40')) ? true : undefined,
    );
    expect((await httpRequest(receiver.url)).status).toBe(200);
    expect([...statuses].every((s) => s === 400 || s === 413)).toBe(true);
  });

  it('lists recorded events for the audit by type and date', async () => {
    const body = formBody({
      type: 'cleaned',
      fired_at: '2026-11-27 18:00:00',
      'data[list_id]': LIST,
      'data[campaign_id]': '4fjk2ma9xd',
      'data[reason]': 'hard',
      'data[email]': 'bounced.person@maple.example',
    });
    const since = new Date(Date.now() - 60_000);
    expect((await postForm(receiver.url, body)).status).toBe(200);
    const workflowId = idOf(body);
    await t.client.workflow.getHandle(workflowId).result();
    const events = await eventually(async () => {
      const found = await listWebhookEvents(t.client, { type: 'cleaned', since });
      return found.some((e) => e.workflowId === workflowId) ? found : undefined;
    });
    expect(events.every((e) => e.type === 'cleaned')).toBe(true);
    const mine = events.find((e) => e.workflowId === workflowId);
    expect(mine).toMatchObject({
      type: 'cleaned',
      listId: LIST,
      firedAt: '2026-11-27 18:00:00',
      email: 'b***@m***.example',
      detail: { reason: 'hard', campaignId: '4fjk2ma9xd' },
    });
    const later = await listWebhookEvents(t.client, {
      type: 'cleaned',
      since: new Date(Date.now() + 60_000),
    });
    expect(later).toEqual([]);
    const text = formatWebhookEvents(events, false).join('\n');
    expect(text).toContain('cleaned');
    expect(text).not.toContain('bounced.person@');
    expect(JSON.parse(formatWebhookEvents([mine!], true)[0]!)).toMatchObject({ workflowId, type: 'cleaned' });
    await expect(listWebhookEvents(t.client, { type: 'nope" OR WorkflowType="x' })).rejects.toThrow(
      /unknown event type/,
    );
  });
});
