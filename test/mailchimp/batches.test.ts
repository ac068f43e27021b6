import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { memberUpsertOperations } from '../../src/mailchimp/batches.js';
import { subscriberHash } from '../../src/mailchimp/hash.js';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { email, simClient } from './helpers.js';

let sim: MailchimpSimulator;
let listId: string;

beforeAll(async () => {
  sim = await startMailchimpSimulator();
  listId = sim.state.createList();
});
afterAll(async () => {
  await sim.stop();
});

describe('/batches path', () => {
  it('submits member upserts, waits, and reads one result per operation from the tar.gz archive', async () => {
    sim.state.seedMember(listId, { email: email('optedout'), status: 'unsubscribed' });
    const client = await simClient(sim);
    const inputs = [
      { email: email('b1'), statusIfNew: 'subscribed' as const, mergeFields: { FNAME: 'B' } },
      { email: 'fake@nowhere.invalid', statusIfNew: 'subscribed' as const, mergeFields: {} },
      { email: email('optedout'), statusIfNew: 'subscribed' as const, mergeFields: { FNAME: 'O' } },
    ];
    const submitted = await client.submitBatch(memberUpsertOperations(listId, inputs));
    expect(submitted.total_operations).toBe(3);
    const done = await client.waitForBatch(submitted.id, { pollMs: 50, timeoutMs: 30_000 });
    expect(done).toMatchObject({ status: 'finished', finished_operations: 3, errored_operations: 1 });
    const results = await client.fetchBatchResults(done);
    const byOp = new Map(results.map((r) => [r.operationId, r]));
    expect(results).toHaveLength(3);
    expect(byOp.get(subscriberHash(email('b1')))).toMatchObject({ ok: true, status: 200 });
    expect(byOp.get(subscriberHash('fake@nowhere.invalid'))).toMatchObject({
      ok: false,
      error: { kind: 'permanent', status: 400, title: 'Invalid Resource' },
    });
    expect(byOp.get(subscriberHash(email('optedout')))?.response).toMatchObject({ status: 'unsubscribed' });
    expect(sim.state.member(listId, email('optedout'))?.status).toBe('unsubscribed');
    expect(sim.state.member(listId, email('b1'))?.status).toBe('subscribed');
  });

  it('leaves archived members out of the batch, so they stay archived', async () => {
    sim.state.seedMember(listId, { email: email('shelved'), status: 'archived' });
    const client = await simClient(sim);
    const inputs = [email('shelved'), email('b2')].map((e) => ({
      email: e,
      statusIfNew: 'transactional' as const,
      mergeFields: { FNAME: 'X' },
    }));
    const ops = memberUpsertOperations(listId, inputs, await client.archivedMembers(listId));
    expect(ops.map((o) => o.operation_id)).toEqual([subscriberHash(email('b2'))]);
    const done = await client.waitForBatch((await client.submitBatch(ops)).id, { pollMs: 50 });
    expect(done).toMatchObject({ status: 'finished', errored_operations: 0 });
    expect(sim.state.member(listId, email('shelved'))?.status).toBe('archived');
    expect(sim.state.member(listId, email('b2'))?.status).toBe('transactional');
  });

  it("moves a customer's member to its new address (memberId), keeping its status and tags, instead of adding one", async () => {
    const old = email('moving.old');
    const moved = email('moving.new');
    sim.state.seedMember(listId, { email: old, status: 'unsubscribed', tags: ['trade-show'] });
    const before = sim.state.members(listId).length;
    const client = await simClient(sim);
    const ops = memberUpsertOperations(listId, [
      { email: moved, memberId: subscriberHash(old), statusIfNew: 'subscribed', mergeFields: { FNAME: 'M' } },
    ]);
    expect(ops).toEqual([
      expect.objectContaining({
        path: `/lists/${listId}/members/${subscriberHash(old)}`,
        operation_id: subscriberHash(moved),
      }),
    ]);
    const done = await client.waitForBatch((await client.submitBatch(ops)).id, { pollMs: 50 });
    expect(done).toMatchObject({ status: 'finished', errored_operations: 0 });
    const [result] = await client.fetchBatchResults(done);
    expect(result).toMatchObject({ ok: true, operationId: subscriberHash(moved) });
    expect(sim.state.members(listId)).toHaveLength(before);
    expect(sim.state.member(listId, old)).toBeUndefined();
    expect(sim.state.member(listId, moved)).toMatchObject({
      status: 'unsubscribed',
      mergeFields: expect.objectContaining({ FNAME: 'M' }),
      tags: ['trade-show'],
    });
  });
});
