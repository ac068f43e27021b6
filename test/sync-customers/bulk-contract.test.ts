import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MailchimpClient } from '../../src/mailchimp/client.js';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { email, simConfig } from '../mailchimp/helpers.js';
import { startPrismProxy, type PrismProxy } from '../mailchimp/prism.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SPEC = path.resolve(repoRoot, '..', 'shared', 'contracts', 'mailchimp-marketing-3.0.55.openapi.json');

// The bulk path's requests and the answers it reads, validated by Prism against Mailchimp's spec
// on their way to the simulator (as test/mailchimp/contract.test.ts does for the other calls).
(existsSync(SPEC) ? describe : describe.skip)('bulk calls against the 3.0.55 OpenAPI contract', () => {
  let sim: MailchimpSimulator;
  let prism: PrismProxy;
  let checked: MailchimpClient;
  let listId: string;

  beforeAll(async () => {
    sim = await startMailchimpSimulator();
    listId = sim.state.createList({ name: 'Contract' });
    sim.state.seedMember(listId, { email: email('existing'), status: 'unsubscribed' });
    prism = await startPrismProxy(repoRoot, SPEC, sim.apiUrl);
    // One try only: a 500 VIOLATIONS from Prism must fail the test, not be retried away.
    checked = await MailchimpClient.create(simConfig(sim, { MAILCHIMP_API_URL: prism.url }), {
      retry: { maxAttempts: 1 },
    });
  }, 60_000);
  afterAll(async () => {
    await prism?.stop();
    await sim?.stop();
  });

  it('batch subscribe, then static segments found, created and added to', async () => {
    const outcomes = await checked.subscribeNew(listId, [
      { email: email('fresh'), statusIfNew: 'transactional', mergeFields: { FNAME: 'Ünal' } },
      { email: email('existing'), statusIfNew: 'transactional', mergeFields: {} },
      { email: 'someone@slowpayer.example', statusIfNew: 'transactional', mergeFields: {} },
    ]);
    expect(outcomes.map((o) => o.kind)).toEqual(['created', 'exists', 'refused']);
    const tags = checked.tagSegments(listId);
    expect(await tags.add('group:RTL', [email('fresh'), email('nobody')])).toEqual([
      { email: email('nobody'), error: expect.any(String) },
    ]);
    expect(sim.state.member(listId, email('fresh'))?.tags).toEqual(['group:RTL']);
  });

  it('Prism reported no violation for anything the client sent or received', () => {
    expect(prism.output.filter((l) => /violation|✖|⚠/i.test(l))).toEqual([]);
  });
});
