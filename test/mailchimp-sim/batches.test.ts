import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { apiCaller } from './http.js';

interface OpResult {
  status_code: number;
  operation_id: string;
  response: string;
}

async function unpack(archive: Buffer): Promise<Map<string, OpResult[]>> {
  const files = new Map<string, OpResult[]>();
  const extract = tar.extract();
  Readable.from(archive).pipe(createGunzip()).pipe(extract);
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    files.set(entry.header.name, JSON.parse(Buffer.concat(chunks).toString('utf8')) as OpResult[]);
  }
  return files;
}

describe('Mailchimp simulator: batch operations', () => {
  let sim: MailchimpSimulator;
  beforeAll(async () => {
    sim = await startMailchimpSimulator({ batchItemLatencyMs: 20 });
  });
  afterAll(() => sim.stop());

  it('runs a batch in the background and serves a tar.gz of per-operation results', async () => {
    const call = apiCaller(sim);
    const list = sim.state.createList();
    sim.state.seedMember(list, { email: 'gone@acme.io', status: 'unsubscribed' });
    const member = (email: string, extra: Record<string, unknown> = {}) => ({
      method: 'PUT',
      path: `/lists/${list}/members/${email}`,
      body: JSON.stringify({ email_address: email, status_if_new: 'subscribed', ...extra }),
      operation_id: email,
    });
    const submitted = await call('POST', '/batches', {
      operations: [
        member('ok1@acme.io'),
        member('ok2@acme.io'),
        member('gone@acme.io', { status: 'subscribed' }),
        member('test@test.com'),
        { method: 'GET', path: `/lists/${list}/members`, params: { count: 1 }, operation_id: 'page' },
      ],
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ status: 'pending', total_operations: 5, finished_operations: 0 });
    const id = submitted.body.id as string;

    let batch = submitted.body;
    const seen = new Set<string>();
    for (let i = 0; i < 200 && batch.status !== 'finished'; i++) {
      await new Promise((r) => setTimeout(r, 15));
      batch = (await call('GET', `/batches/${id}`)).body;
      seen.add(batch.status as string);
    }
    expect(seen.has('started')).toBe(true);
    expect(batch).toMatchObject({ status: 'finished', finished_operations: 5, errored_operations: 2 });
    expect(batch.completed_at).toEqual(expect.any(String));

    const download = await fetch(batch.response_body_url as string);
    expect(download.status).toBe(200);
    const files = await unpack(Buffer.from(await download.arrayBuffer()));
    const results = [...files.values()].flat();
    const byId = new Map(results.map((r) => [r.operation_id, r]));
    expect(byId.get('ok1@acme.io')?.status_code).toBe(200);
    expect(JSON.parse(byId.get('ok1@acme.io')!.response)).toMatchObject({ status: 'subscribed' });
    expect(byId.get('gone@acme.io')?.status_code).toBe(400);
    expect(JSON.parse(byId.get('gone@acme.io')!.response).title).toBe('Member In Compliance State');
    expect(JSON.parse(byId.get('test@test.com')!.response).title).toBe('Invalid Resource');
    expect(JSON.parse(byId.get('page')!.response).members).toHaveLength(1);

    const member1 = await call('GET', `/lists/${list}/members/ok2@acme.io`);
    expect(member1.body.status).toBe('subscribed');
  });

  it('rejects a malformed batch with Invalid Resource', async () => {
    const res = await apiCaller(sim)('POST', '/batches', {
      operations: [{ method: 'FETCH', path: '/ping' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([expect.objectContaining({ field: 'operations.item:0.method' })]);
  });
});
