import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { apiCaller } from './http.js';

interface Received {
  method: string;
  userAgent: string;
  contentType: string;
  form: URLSearchParams;
}

/** A local receiver: answers GET with `getStatus`, POSTs with the next entry of `postStatuses` (then 200). */
async function startReceiver(opts: { getStatus: number; postStatuses?: number[] }) {
  const received: Received[] = [];
  const postStatuses = [...(opts.postStatuses ?? [])];
  const waiters: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        userAgent: req.headers['user-agent'] ?? '',
        contentType: req.headers['content-type'] ?? '',
        form: new URLSearchParams(Buffer.concat(chunks).toString('utf8')),
      });
      res.statusCode = req.method === 'GET' ? opts.getStatus : (postStatuses.shift() ?? 200);
      res.end('ok');
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?secret=s3cret`;
  const waitFor = async (pred: () => boolean) => {
    while (!pred()) await new Promise<void>((r) => waiters.push(r));
  };
  return { url, received, waitFor, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('Mailchimp simulator: list webhooks', () => {
  let sim: MailchimpSimulator;
  beforeAll(async () => {
    sim = await startMailchimpSimulator({ webhookRetryDelaysMs: [30, 60] });
  });
  afterAll(() => sim.stop());

  it('validates the URL with a GET before registering and refuses a URL that does not answer 200', async () => {
    const call = apiCaller(sim);
    const list = sim.state.createList();
    const broken = await startReceiver({ getStatus: 404 });
    try {
      const res = await call('POST', `/lists/${list}/webhooks`, { url: broken.url });
      expect(res.status).toBe(400);
      expect(res.body.title).toBe('Invalid Resource');
      expect(broken.received[0]).toMatchObject({
        method: 'GET',
        userAgent: 'MailChimp.com WebHook Validator',
      });
      expect((await call<{ total_items: number }>('GET', `/lists/${list}/webhooks`)).body.total_items).toBe(
        0,
      );
    } finally {
      await broken.close();
    }
  });

  it('registers, lists, patches and deletes a webhook', async () => {
    const call = apiCaller(sim);
    const list = sim.state.createList();
    const rx = await startReceiver({ getStatus: 200 });
    try {
      const made = await call('POST', `/lists/${list}/webhooks`, {
        url: rx.url,
        events: {
          subscribe: true,
          unsubscribe: true,
          profile: false,
          cleaned: true,
          upemail: true,
          campaign: false,
        },
        sources: { user: true, admin: true, api: false },
      });
      expect(made.status).toBe(200);
      expect(made.body).toMatchObject({
        url: rx.url,
        list_id: list,
        events: { profile: false },
        sources: { api: false },
      });
      const id = made.body.id as string;
      const patched = await call('PATCH', `/lists/${list}/webhooks/${id}`, { events: { profile: true } });
      expect(patched.body).toMatchObject({ events: { profile: true, subscribe: true } });
      expect((await call('GET', `/lists/${list}/webhooks/${id}`)).body.id).toBe(id);
      expect((await call('DELETE', `/lists/${list}/webhooks/${id}`)).status).toBe(204);
      expect((await call('GET', `/lists/${list}/webhooks/${id}`)).status).toBe(404);
    } finally {
      await rx.close();
    }
  });

  it('posts form-encoded events with PHP-style nested keys and retries non-2xx answers', async () => {
    const call = apiCaller(sim);
    const list = sim.state.createList();
    const rx = await startReceiver({ getStatus: 200, postStatuses: [500] });
    try {
      await call('POST', `/lists/${list}/webhooks`, {
        url: rx.url,
        sources: { user: true, admin: true, api: true },
      });
      const res = await call('PUT', `/lists/${list}/members/ann@acme.io`, {
        email_address: 'ann@acme.io',
        status_if_new: 'subscribed',
        merge_fields: { FNAME: 'Ann', LNAME: 'Lee' },
      });
      expect(res.status).toBe(200);
      await rx.waitFor(() => rx.received.filter((r) => r.method === 'POST').length >= 2);
      const posts = rx.received.filter((r) => r.method === 'POST');
      expect(posts[0]!.contentType).toBe('application/x-www-form-urlencoded');
      expect(posts[0]!.userAgent).toBe('MailChimp.com');
      const form = posts[1]!.form;
      expect(form.get('type')).toBe('subscribe');
      expect(form.get('fired_at')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      expect(form.get('data[email]')).toBe('ann@acme.io');
      expect(form.get('data[list_id]')).toBe(list);
      expect(form.get('data[merges][FNAME]')).toBe('Ann');
      expect(form.get('data[merges][EMAIL]')).toBe('ann@acme.io');

      // A user-side unsubscribe: delivered, and reflected in the audience.
      await sim.fireWebhookEvent(list, 'unsubscribe', {
        email: 'ann@acme.io',
        action: 'unsub',
        reason: 'manual',
      });
      const last = rx.received[rx.received.length - 1]!.form;
      expect(last.get('type')).toBe('unsubscribe');
      expect(last.get('data[action]')).toBe('unsub');
      expect((await call('GET', `/lists/${list}/members/ann@acme.io`)).body.status).toBe('unsubscribed');
    } finally {
      await rx.close();
    }
  });
});
