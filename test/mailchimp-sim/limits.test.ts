import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { apiCaller } from './http.js';

describe('Mailchimp simulator: concurrency limit and faults', () => {
  let sim: MailchimpSimulator;
  beforeAll(async () => {
    sim = await startMailchimpSimulator({ latencyMs: 300 });
  });
  afterAll(() => sim.stop());

  it('answers 429 Too Many Requests to the 11th concurrent request of one credential', async () => {
    const call = apiCaller(sim);
    const results = await Promise.all(Array.from({ length: 11 }, () => call('GET', '/ping')));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    const limited = results.find((r) => r.status === 429)!;
    expect(limited.body).toMatchObject({ title: 'Too Many Requests', status: 429 });
    expect(limited.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(sim.stats.rejected429).toBe(1);
    expect(sim.stats.maxConcurrent).toBe(10);
    // Once the slots are free again, requests pass.
    expect((await call('GET', '/ping')).status).toBe(200);
  });

  it('injects errors with the chosen statuses and lets them be cleared', async () => {
    const call = apiCaller(sim);
    sim.faults.set({ errorRate: 1, errorStatuses: [503], latencyMs: 0 });
    try {
      const res = await call('GET', '/ping');
      expect(res.status).toBe(503);
      expect(res.body.instance).toBe(res.headers.get('x-request-id'));
    } finally {
      sim.faults.clear();
    }
    sim.settings.latencyMs = 0;
    expect((await call('GET', '/ping')).status).toBe(200);
  });

  it('can hang a request until the client gives up', async () => {
    sim.faults.set({ hangRate: 1, latencyMs: 0 });
    try {
      const started = Date.now();
      await expect(
        fetch(`${sim.apiUrl}/ping`, {
          headers: { authorization: `Bearer ${sim.oauthToken}` },
          signal: AbortSignal.timeout(200),
        }),
      ).rejects.toThrow();
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      // With a short cut-off the simulator drops the connection itself.
      sim.faults.set({ hangMs: 50 });
      await expect(
        fetch(`${sim.apiUrl}/ping`, { headers: { authorization: `Bearer ${sim.oauthToken}` } }),
      ).rejects.toThrow();
    } finally {
      sim.faults.clear();
    }
  });
});
