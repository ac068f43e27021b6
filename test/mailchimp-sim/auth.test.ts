import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { apiCaller } from './http.js';

describe('Mailchimp simulator: authentication and conventions', () => {
  let sim: MailchimpSimulator;
  beforeAll(async () => {
    sim = await startMailchimpSimulator();
  });
  afterAll(() => sim.stop());

  it('answers ping with the key as Basic password and any username', async () => {
    const res = await apiCaller(sim)('GET', '/ping');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ health_status: "Everything's Chimpy!" });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(sim.apiKey).toMatch(/-us6$/);
  });

  it('answers 401 API Key Missing as a problem document whose instance is the request id', async () => {
    const res = await apiCaller(sim, null)('GET', '/ping');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(res.body).toMatchObject({
      title: 'API Key Missing',
      status: 401,
      type: expect.any(String),
      detail: expect.any(String),
    });
    expect(res.body.instance).toBe(res.headers.get('x-request-id'));
  });

  it('answers 401 API Key Invalid for a wrong key or a wrong bearer token', async () => {
    const wrongKey = await apiCaller(sim, `Basic ${Buffer.from('u:deadbeef-us6').toString('base64')}`)(
      'GET',
      '/ping',
    );
    expect(wrongKey.status).toBe(401);
    expect(wrongKey.body.title).toBe('API Key Invalid');
    const wrongToken = await apiCaller(sim, 'Bearer nope')('GET', '/ping');
    expect(wrongToken.body.title).toBe('API Key Invalid');
  });

  it('accepts the OAuth token as Bearer', async () => {
    const res = await apiCaller(sim, `Bearer ${sim.oauthToken}`)('GET', '/ping');
    expect(res.status).toBe(200);
  });

  it('serves OAuth metadata pointing at itself, and 200 invalid_token for a bad token', async () => {
    const good = await fetch(sim.oauthMetadataUrl, { headers: { authorization: `OAuth ${sim.oauthToken}` } });
    expect(good.status).toBe(200);
    const meta = (await good.json()) as Record<string, unknown>;
    expect(meta).toMatchObject({
      dc: 'us6',
      api_endpoint: sim.baseUrl,
      login: expect.any(Object),
      role: 'owner',
    });
    const bad = await fetch(sim.oauthMetadataUrl, { headers: { authorization: 'OAuth wrong' } });
    expect(bad.status).toBe(200);
    expect(await bad.json()).toEqual({ error: 'invalid_token' });
  });

  it('gives 404 Resource Not Found and 405 with Allow for unknown paths and methods', async () => {
    const call = apiCaller(sim);
    const missing = await call('GET', '/lists/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.title).toBe('Resource Not Found');
    const list = sim.state.createList();
    const wrong = await call('PUT', `/lists/${list}/members`, {});
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toContain('POST');
  });

  it('creates and reads audiences through the API', async () => {
    const call = apiCaller(sim);
    const bad = await call('POST', '/lists', { name: 'No contact' });
    expect(bad.status).toBe(400);
    expect(bad.body.title).toBe('Invalid Resource');
    const created = await call('POST', '/lists', {
      name: 'Customers',
      permission_reminder: 'You bought from us',
      email_type_option: false,
      contact: {
        company: 'Acme',
        address1: '1 Main',
        city: 'Atlanta',
        state: 'GA',
        zip: '30301',
        country: 'US',
      },
      campaign_defaults: { from_name: 'Acme', from_email: 'news@acme.io', subject: 'Hi', language: 'en' },
    });
    expect(created.status).toBe(200);
    const id = created.body.id as string;
    const got = await call('GET', `/lists/${id}`);
    expect(got.body).toMatchObject({ id, name: 'Customers', stats: { member_count: 0 } });
    const all = await call<{ lists: { id: string }[]; total_items: number }>('GET', '/lists?count=100');
    expect(all.body.lists.map((l) => l.id)).toContain(id);
  });
});
