import { describe, expect, it } from '@jest/globals';
import { maskWebhookUrl } from '../../src/logging/redact.js';
import { secretMatches, webhookPath } from '../../src/starter/webhooks/secret.js';
import { canonicalJson, webhookEventWorkflowId } from '../../src/domain/webhooks/event-id.js';
import { toWebhookEvent } from '../../src/domain/webhooks/event-schema.js';
import { parseFormBody } from '../../src/domain/webhooks/parse-form.js';
import { flagsFromList } from '../../src/starter/webhooks/registration.js';
import { OccurrenceCounter, PROMPT_DELIVERY_MS } from '../../src/domain/webhooks/occurrences.js';
import { createThrottle } from '../../src/shared/throttle.js';

describe('webhook secret handling', () => {
  it('matches only the exact secret, whatever the length of the guess', () => {
    const secret = 'abcdefghijklmnop-0123';
    expect(secretMatches(secret, secret)).toBe(true);
    for (const guess of [
      undefined,
      '',
      'abcdefghijklmnop-012',
      `${secret}4`,
      secret.toUpperCase(),
      'x'.repeat(500),
    ])
      expect(secretMatches(guess, secret)).toBe(false);
  });

  it('puts the secret in the path, URL-encoded', () => {
    expect(webhookPath('a/b c+d-0123456789')).toBe('/mailchimp/webhook/a%2Fb%20c%2Bd-0123456789');
  });

  it('masks the secret segment and secret-looking query values for display', () => {
    const masked = maskWebhookUrl(
      'https://hooks.example.com/mailchimp/webhook/s3cr3t-0123456789abcdef?token=zzzzzzzz&x=1',
    );
    expect(masked).toBe('https://hooks.example.com/mailchimp/webhook/s3****ef?token=zz****zz&x=1');
    expect(maskWebhookUrl('https://h.example.com/mailchimp/webhook/short')).toBe(
      'https://h.example.com/mailchimp/webhook/sh****rt',
    );
    expect(maskWebhookUrl('https://user:pw@h.example.com/hook')).not.toContain('pw@');
    expect(maskWebhookUrl('not a url with a long secret 0123456789')).not.toContain('0123456789');
  });
});

describe('content-derived workflow IDs', () => {
  const event = (body: string) => toWebhookEvent(parseFormBody(body));
  const a =
    'type=profile&fired_at=2026-11-27+14%3A30%3A00&data[list_id]=L1&data[email]=a%40b.example&data[merges][FNAME]=A&data[merges][LNAME]=B';

  it('is the same for the same content in any field order', () => {
    const reordered = a.split('&').reverse().join('&');
    expect(webhookEventWorkflowId(event(reordered))).toBe(webhookEventWorkflowId(event(a)));
    expect(webhookEventWorkflowId(event(a))).toMatch(/^webhook-profile-[0-9a-f]{32}$/);
  });

  it('differs when the time or any data field differs', () => {
    const id = webhookEventWorkflowId(event(a));
    expect(webhookEventWorkflowId(event(a.replace('14%3A30%3A00', '14%3A30%3A01')))).not.toBe(id);
    expect(webhookEventWorkflowId(event(a.replace('FNAME]=A', 'FNAME]=Z')))).not.toBe(id);
  });

  it('canonical JSON sorts keys at every level and keeps array order', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: 2 }], a: 'x' })).toBe('{"a":"x","b":[2,{"c":2,"d":1}]}');
  });

  it('keeps the bare ID for a first occurrence and numbers later ones', () => {
    const id = webhookEventWorkflowId(event(a));
    expect(webhookEventWorkflowId(event(a), 1)).toBe(id);
    expect(webhookEventWorkflowId(event(a), 2)).toBe(`${id}-2`);
  });
});

describe('occurrences of the same content', () => {
  const firedAt = Date.parse('2026-11-27T14:30:00Z');
  const profile = (fname: string) =>
    toWebhookEvent(
      parseFormBody(
        `type=profile&fired_at=2026-11-27+14%3A30%3A00&data[list_id]=L1&data[email]=a%40b.example&data[merges][FNAME]=${fname}`,
      ),
    );

  it('counts prompt deliveries of one content as distinct events, each content on its own', () => {
    const counter = new OccurrenceCounter();
    expect(counter.occurrence(profile('A'), firedAt + 300)).toBe(1);
    expect(counter.occurrence(profile('A'), firedAt + 800)).toBe(2);
    expect(counter.occurrence(profile('B'), firedAt + 900)).toBe(1);
    expect(counter.occurrence(profile('A'), firedAt + PROMPT_DELIVERY_MS)).toBe(3);
  });

  it("takes a delivery later than Mailchimp's 10 s timeout for a redelivery of the first", () => {
    const counter = new OccurrenceCounter();
    expect(counter.occurrence(profile('A'), firedAt + 200)).toBe(1);
    expect(counter.occurrence(profile('A'), firedAt + 400)).toBe(2);
    // Mailchimp retries only what failed or went unanswered for 10 s: later means again, not new.
    expect(counter.occurrence(profile('A'), firedAt + PROMPT_DELIVERY_MS + 1)).toBe(1);
    expect(counter.occurrence(profile('A'), firedAt + 75 * 60_000)).toBe(1);
    // An event whose second has long passed starts no count (a restarted receiver, a late queue).
    expect(new OccurrenceCounter().occurrence(profile('B'), firedAt + 60_000)).toBe(1);
  });

  it("allows for a clock a little behind Mailchimp's", () => {
    const counter = new OccurrenceCounter();
    expect(counter.occurrence(profile('A'), firedAt - 2000)).toBe(1);
    expect(counter.occurrence(profile('A'), firedAt - 1500)).toBe(2);
  });
});

describe('log throttle', () => {
  it('lets one line per key through per interval and counts the ones held back', () => {
    const throttle = createThrottle(60_000);
    expect(throttle.admit('401', 0)).toBe(0);
    for (let i = 1; i <= 500; i++) expect(throttle.admit('401', i)).toBeUndefined();
    expect(throttle.admit('404', 10)).toBe(0);
    expect(throttle.admit('401', 60_000)).toBe(500);
    expect(throttle.admit('401', 60_001)).toBeUndefined();
  });
});

describe('register flags', () => {
  it('turns a comma list into on/off flags and names unknown entries', () => {
    expect(flagsFromList(['user', 'admin', 'api'] as const, 'user, API', 'source')).toEqual({
      user: true,
      admin: false,
      api: true,
    });
    expect(() => flagsFromList(['user', 'admin', 'api'] as const, 'user,robot', 'source')).toThrow(
      /unknown source "robot"/,
    );
  });
});
