import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startMailchimpSimulator, type MailchimpSimulator } from '../../simulators/mailchimp/index.js';
import { apiCaller } from './http.js';

describe('Mailchimp simulator: batch subscribe, field selection, variants, data center', () => {
  let sim: MailchimpSimulator;
  let call: ReturnType<typeof apiCaller>;
  beforeAll(async () => {
    sim = await startMailchimpSimulator({ apiKey: '0123456789abcdef0123456789abcdef-us6' });
    call = apiCaller(sim);
  });
  afterAll(() => sim.stop());

  it('batch-subscribes up to 500 members with per-address errors and update_existing', async () => {
    const list = sim.state.createList();
    sim.state.seedMember(list, { email: 'old@acme.io', status: 'subscribed' });
    const first = await call('POST', `/lists/${list}`, {
      members: [
        { email_address: 'new@acme.io', status: 'subscribed', merge_fields: { FNAME: 'N' } },
        { email_address: 'old@acme.io', status: 'subscribed' },
        { email_address: 'test@test.com', status: 'subscribed' },
      ],
    });
    expect(first.body).toMatchObject({ total_created: 1, total_updated: 0, error_count: 2 });
    expect(first.body.errors).toEqual([
      expect.objectContaining({ email_address: 'old@acme.io', error_code: 'ERROR_CONTACT_EXISTS' }),
      expect.objectContaining({ email_address: 'test@test.com', error_code: 'ERROR_GENERIC' }),
    ]);
    const second = await call('POST', `/lists/${list}`, {
      members: [{ email_address: 'old@acme.io', status: 'unsubscribed' }],
      update_existing: true,
    });
    expect(second.body).toMatchObject({ total_updated: 1, error_count: 0 });
    expect(sim.state.member(list, 'old@acme.io')?.status).toBe('unsubscribed');
    const tooMany = await call('POST', `/lists/${list}`, {
      members: Array.from({ length: 501 }, (_, i) => ({
        email_address: `m${i}@acme.io`,
        status: 'subscribed',
      })),
    });
    expect(tooMany.status).toBe(400);
  });

  it('honours fields and exclude_fields', async () => {
    const list = sim.state.createList();
    sim.state.seedMember(list, { email: 'f@acme.io', status: 'subscribed' });
    const picked = await call(
      'GET',
      `/lists/${list}/members?fields=members.email_address,members.status,total_items`,
    );
    expect(picked.body).toEqual({
      members: [{ email_address: 'f@acme.io', status: 'subscribed' }],
      total_items: 1,
    });
    const trimmed = await call('GET', `/lists/${list}/members/f@acme.io?exclude_fields=_links,merge_fields`);
    expect(trimmed.body).not.toHaveProperty('merge_fields');
    expect(trimmed.body).toHaveProperty('status', 'subscribed');
  });

  it('upserts product variants', async () => {
    const list = sim.state.createList();
    await call('POST', '/ecommerce/stores', { id: 'v', list_id: list, name: 'V', currency_code: 'CAD' });
    await call('POST', '/ecommerce/stores/v/products', {
      id: 'P',
      title: 'P',
      variants: [{ id: 'P', title: 'P' }],
    });
    const put = await call('PUT', '/ecommerce/stores/v/products/P/variants/P-RED', {
      id: 'P-RED',
      title: 'Red',
      price: 3,
    });
    expect(put.body).toMatchObject({ id: 'P-RED', title: 'Red', price: 3 });
    const product = await call<{ variants: { id: string }[]; currency_code: string }>(
      'GET',
      '/ecommerce/stores/v/products/P',
    );
    expect(product.body.variants.map((v) => v.id)).toEqual(['P', 'P-RED']);
    expect(product.body.currency_code).toBe('CAD');
  });

  it('answers 403 Wrong Datacenter for the right key with another data-center suffix', async () => {
    const wrong = apiCaller(
      sim,
      `Basic ${Buffer.from('x:0123456789abcdef0123456789abcdef-us19').toString('base64')}`,
    );
    const res = await wrong('GET', '/ping');
    expect(res.status).toBe(403);
    expect(res.body.title).toBe('Wrong Datacenter');
  });
});

describe('Mailchimp simulator: malformed requests', () => {
  it('answers JSON Parse Exception for a body that is not JSON', async () => {
    const sim = await startMailchimpSimulator();
    try {
      const list = sim.state.createList();
      const res = await fetch(`${sim.apiUrl}/lists/${list}/members`, {
        method: 'POST',
        headers: { authorization: `Bearer ${sim.oauthToken}`, 'content-type': 'application/json' },
        body: '{"email_address":',
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { title: string }).title).toBe('JSON Parse Exception');
    } finally {
      await sim.stop();
    }
  });
});
