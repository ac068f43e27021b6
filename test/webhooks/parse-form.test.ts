import { describe, expect, it } from '@jest/globals';
import { FormParseError, parseFormBody } from '../../src/domain/webhooks/parse-form.js';
import { toWebhookEvent, WebhookEventError } from '../../src/domain/webhooks/event-schema.js';

describe('parseFormBody: PHP-style bracket keys as Mailchimp sends them', () => {
  it('builds nested objects from bracket keys', () => {
    const form = parseFormBody(
      'type=subscribe&fired_at=2026-11-27+14%3A30%3A00&data%5Bid%5D=8a25ff1d98&data%5Blist_id%5D=a6b5da1054' +
        '&data%5Bemail%5D=api%40mailchimp.com&data[merges][FNAME]=Ann&data[merges][INTERESTS]=Group1%2CGroup2',
    );
    expect(form).toEqual({
      type: 'subscribe',
      fired_at: '2026-11-27 14:30:00',
      data: {
        id: '8a25ff1d98',
        list_id: 'a6b5da1054',
        email: 'api@mailchimp.com',
        merges: { FNAME: 'Ann', INTERESTS: 'Group1,Group2' },
      },
    });
  });

  it('turns indexes counting from 0 into arrays of objects', () => {
    const form = parseFormBody(
      'data[merges][GROUPINGS][0][id]=1&data[merges][GROUPINGS][0][name]=Topics&data[merges][GROUPINGS][0][groups]=A%2CB' +
        '&data[merges][GROUPINGS][1][id]=2&data[merges][GROUPINGS][1][name]=Region',
    );
    expect(form).toEqual({
      data: {
        merges: {
          GROUPINGS: [
            { id: '1', name: 'Topics', groups: 'A,B' },
            { id: '2', name: 'Region' },
          ],
        },
      },
    });
  });

  it('appends with [] and keeps gapped indexes as an object (no sparse arrays)', () => {
    expect(parseFormBody('t[]=a&t[]=b&t[]=c')).toEqual({ t: ['a', 'b', 'c'] });
    expect(parseFormBody('g[0]=a&g[5]=b')).toEqual({ g: { '0': 'a', '5': 'b' } });
  });

  it('keeps the last value of a repeated plain key', () => {
    expect(parseFormBody('type=subscribe&type=profile&a[b]=1&a[b]=2')).toEqual({
      type: 'profile',
      a: { b: '2' },
    });
  });

  it('decodes + and percent-encoding, including UTF-8 multibyte and astral characters', () => {
    const body = `name=${encodeURIComponent('Zoë Ångström 山田 🎉')}&sp=a+b%2Bc&empty=&flag`;
    expect(parseFormBody(body)).toEqual({ name: 'Zoë Ångström 山田 🎉', sp: 'a b+c', empty: '', flag: '' });
    expect(parseFormBody(`${encodeURIComponent('data[merges][NAMÉ]')}=x`)).toEqual({
      data: { merges: { NAMÉ: 'x' } },
    });
  });

  it('rejects malformed percent-encoding and invalid UTF-8 sequences', () => {
    expect(() => parseFormBody('a=%ZZ')).toThrow(FormParseError);
    expect(() => parseFormBody('a=%E0%A4%A')).toThrow(FormParseError);
    expect(() => parseFormBody('a=%C3%28')).toThrow(FormParseError);
  });

  it('rejects malformed keys, value/group conflicts, too deep nesting and too many fields', () => {
    expect(() => parseFormBody('a[b=1')).toThrow(/malformed field name/);
    expect(() => parseFormBody('a[b]x=1')).toThrow(/malformed field name/);
    expect(() => parseFormBody('=1')).toThrow(/empty field name/);
    expect(() => parseFormBody('a=1&a[b]=2')).toThrow(/both a value and a group/);
    expect(() => parseFormBody('a[b]=2&a=1')).toThrow(/both a value and a group/);
    expect(() => parseFormBody('a[1][2][3][4][5][6][7][8][9]=1')).toThrow(/nested too deeply/);
    expect(() =>
      parseFormBody(Array.from({ length: 20 }, (_, i) => `f${i}=1`).join('&'), { maxFields: 10 }),
    ).toThrow(/more than 10 fields/);
  });

  it('keeps __proto__ and constructor as plain data without touching prototypes', () => {
    const form = parseFormBody('__proto__[polluted]=yes&data[__proto__][x]=1&constructor[prototype][y]=2');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(form)).toBe(Object.prototype);
    expect(Object.keys(form)).toEqual(['__proto__', 'data', 'constructor']);
    expect((form.data as Record<string, unknown>)['__proto__']).toEqual({ x: '1' });
  });
});

describe('toWebhookEvent: the typed event', () => {
  const base = 'fired_at=2026-11-27+14%3A30%3A00';
  it('accepts each event type with its fields', () => {
    const cases: Array<[string, string]> = [
      ['subscribe', 'data[list_id]=L1&data[email]=a%40b.example&data[merges][FNAME]=A'],
      ['unsubscribe', 'data[list_id]=L1&data[email]=a%40b.example&data[action]=unsub&data[reason]=manual'],
      ['profile', 'data[list_id]=L1&data[email]=a%40b.example'],
      ['upemail', 'data[list_id]=L1&data[new_email]=n%40b.example&data[old_email]=o%40b.example'],
      ['cleaned', 'data[list_id]=L1&data[email]=a%40b.example&data[reason]=hard'],
      ['campaign', 'data[list_id]=L1&data[id]=C1&data[subject]=Hi&data[status]=sent'],
    ];
    for (const [type, data] of cases) {
      const event = toWebhookEvent(parseFormBody(`type=${type}&${base}&${data}`));
      expect(event.type).toBe(type);
      expect(event.data.list_id).toBe('L1');
    }
  });

  it('keeps fields it does not type (the audit trail loses nothing)', () => {
    const event = toWebhookEvent(
      parseFormBody(`type=profile&${base}&data[list_id]=L1&data[email]=a%40b.example&data[extra]=1`),
    );
    expect((event.data as Record<string, unknown>).extra).toBe('1');
  });

  it('names an unknown type, a missing type and the wrong fields, without echoing values', () => {
    expect(() => toWebhookEvent(parseFormBody(`type=order&${base}`))).toThrow(/unknown event type "order"/);
    expect(() => toWebhookEvent(parseFormBody(base))).toThrow(/missing field "type"/);
    expect(() => toWebhookEvent(parseFormBody(`type[]=a&${base}`))).toThrow(/single value/);
    expect(() =>
      toWebhookEvent(
        parseFormBody('type=subscribe&fired_at=yesterday&data[list_id]=L1&data[email]=x%40y.example'),
      ),
    ).toThrow(/fired_at/);
    let message = '';
    try {
      toWebhookEvent(parseFormBody(`type=subscribe&${base}&data[email]=secret.person%40b.example`));
    } catch (err) {
      expect(err).toBeInstanceOf(WebhookEventError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/data\.list_id/);
    expect(message).not.toMatch(/secret\.person/);
  });
});
