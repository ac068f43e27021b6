import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_MAPPING_SETTINGS,
  chooseEmail,
  countryCode,
  mapCustomer,
  mapTags,
  type CustomerFields,
} from '../../src/domain/customers/mapping.js';
import { splitContactName } from '../../src/domain/customers/names.js';
import { findDuplicates } from '../../src/domain/customers/duplicates.js';
import { isValidEmail } from '../../src/domain/customers/email.js';
import { fitText } from '../../src/domain/mailchimp-limits.js';

const base: CustomerFields = {
  CustomerNumber: '1200',
  CustomerName: 'Maple Hardware Ltd.',
  ContactName: 'Priya Natarajan',
  Email: 'ap@maplehw.example',
  ContactsEmail: 'priya@maplehw.example',
  PhoneNumber: '4165550142',
  AddressLine1: '418 King Street W',
  AddressLine2: 'Suite 200',
  AddressLine3: '',
  City: 'Toronto',
  StateProvince: 'ON',
  ZipPostalCode: 'M5V 1K4',
  Country: 'Canada',
  GroupCode: 'RTL',
  TerritoryCode: 'EAST',
  Status: 'Active',
  OnHold: 'No',
  DateLastMaintained: '2025-03-14T00:00:00Z',
};

describe('mapCustomer', () => {
  it('maps a complete customer to a member with merge fields and tags', () => {
    expect(mapCustomer(base, DEFAULT_MAPPING_SETTINGS)).toEqual({
      kind: 'member',
      key: '1200',
      member: {
        email: 'ap@maplehw.example',
        statusIfNew: 'transactional',
        mergeFields: {
          SAGECUST: '1200',
          FNAME: 'Priya',
          LNAME: 'Natarajan',
          COMPANY: 'Maple Hardware Ltd.',
          ADDRESS: {
            addr1: '418 King Street W',
            addr2: 'Suite 200',
            city: 'Toronto',
            state: 'ON',
            zip: 'M5V 1K4',
            country: 'CA',
          },
          PHONE: '4165550142',
        },
        tags: ['group:RTL', 'territory:EAST'],
        ownedTags: { names: ['inactive', 'on-hold'], prefixes: ['group:', 'territory:'] },
      },
    });
  });

  it('falls back to ContactsEmail when Email is empty or invalid, and trims', () => {
    expect(chooseEmail({ Email: '  ', ContactsEmail: ' b@x.example ' })).toEqual({
      ok: true,
      email: 'b@x.example',
    });
    expect(chooseEmail({ Email: 'not an email', ContactsEmail: 'b@x.example' })).toEqual({
      ok: true,
      email: 'b@x.example',
    });
  });

  it('skips missing and invalid emails with their reason (masked, never the address)', () => {
    expect(mapCustomer({ ...base, Email: '', ContactsEmail: null }, DEFAULT_MAPPING_SETTINGS)).toEqual({
      kind: 'skip',
      key: '1200',
      reason: 'no email',
    });
    const invalid = mapCustomer(
      { ...base, Email: 'ap@@maplehw', ContactsEmail: '' },
      DEFAULT_MAPPING_SETTINGS,
    );
    expect(invalid).toMatchObject({ kind: 'skip', reason: 'invalid email' });
    expect(JSON.stringify(invalid)).not.toContain('ap@@maplehw');
  });

  it('leaves out an incomplete address but keeps the rest', () => {
    const m = mapCustomer({ ...base, ZipPostalCode: '' }, DEFAULT_MAPPING_SETTINGS);
    expect(m.kind).toBe('member');
    if (m.kind === 'member') {
      expect(m.member.mergeFields.ADDRESS).toBeUndefined();
      expect(m.member.mergeFields.COMPANY).toBe('Maple Hardware Ltd.');
    }
  });

  it('tags inactive and on-hold customers by default and excludes them when configured', () => {
    const c = { ...base, Status: 'Inactive', OnHold: 'Yes' };
    expect(mapTags(c)).toEqual(['group:RTL', 'territory:EAST', 'inactive', 'on-hold']);
    expect(mapCustomer(c, { ...DEFAULT_MAPPING_SETTINGS, includeInactive: false })).toMatchObject({
      kind: 'skip',
      reason: 'inactive (SYNC_INCLUDE_INACTIVE=false)',
    });
    expect(
      mapCustomer({ ...base, OnHold: 'Yes' }, { ...DEFAULT_MAPPING_SETTINGS, includeOnHold: false }),
    ).toMatchObject({
      kind: 'skip',
      reason: 'on hold (SYNC_INCLUDE_ON_HOLD=false)',
    });
  });

  it('caps tags at 100 characters and honours the merge tag and status settings', () => {
    const long = 'G'.repeat(150);
    expect(mapTags({ ...base, GroupCode: long })[0]).toHaveLength(100);
    const m = mapCustomer(base, {
      ...DEFAULT_MAPPING_SETTINGS,
      customerNumberMergeTag: 'CUSTNO',
      statusIfNew: 'subscribed',
    });
    expect(m).toMatchObject({ member: { statusIfNew: 'subscribed', mergeFields: { CUSTNO: '1200' } } });
  });

  it('is deterministic', () => {
    expect(JSON.stringify(mapCustomer(base, DEFAULT_MAPPING_SETTINGS))).toBe(
      JSON.stringify(mapCustomer({ ...base }, DEFAULT_MAPPING_SETTINGS)),
    );
  });
});

describe('splitContactName', () => {
  it.each([
    ['Priya Natarajan', 'Priya', 'Natarajan'],
    ['  Mary   Ann  Smith ', 'Mary Ann', 'Smith'],
    ['Natarajan, Priya', 'Priya', 'Natarajan'],
    ['Dr. Jane Doe', 'Jane', 'Doe'],
    ['John Smith Jr.', 'John', 'Smith Jr.'],
    ['Jan van der Berg', 'Jan', 'van der Berg'],
    ['Cher', 'Cher', ''],
    ['José Álvarez', 'José', 'Álvarez'],
    ['山田 太郎', '山田', '太郎'],
    ['Zoë Ørsted-Łukasz', 'Zoë', 'Ørsted-Łukasz'],
    ['', '', ''],
  ])('%s', (raw, first, last) => {
    expect(splitContactName(raw)).toEqual({ first, last });
  });
});

describe('emails, countries, duplicates', () => {
  it('validates addresses', () => {
    expect(isValidEmail('a.b+c@sub.example.com')).toBe(true);
    for (const bad of ['a@b', 'a b@c.com', 'a@@c.com', '@c.com', 'a@c.', 'a@c.c', 'x; y@c.com']) {
      expect(isValidEmail(bad)).toBe(false);
    }
  });

  it('normalises country names to codes when known', () => {
    expect(countryCode('Canada')).toBe('CA');
    expect(countryCode('us')).toBe('US');
    expect(countryCode('Narnia')).toBe('Narnia');
  });

  it('makes the lowest customer number the winner of a shared email, in any input order', () => {
    const r = findDuplicates([
      { key: 'C300', identity: 'a@x.example' },
      { key: 'C100', identity: 'b@x.example' },
      { key: 'C050', identity: 'a@x.example' },
      { key: 'C200', identity: 'a@x.example' },
    ]);
    expect(r.groups).toEqual([['C050', 'C200', 'C300']]);
    expect(r.duplicateOf).toEqual({ C200: 'C050', C300: 'C050' });
  });
});

describe("values fitted to Mailchimp's limits", () => {
  it('removes controls and direction overrides, collapses the gaps, cuts at 255 characters', () => {
    expect(fitText('COMPANY', 'Acme\u0000 \u001b[31mWidgets')).toEqual({
      value: 'Acme [31mWidgets',
      adjusted: ['COMPANY: control or direction characters removed'],
    });
    expect(fitText('LNAME', '\u202Eflow\u2066 Ltd\uD800')).toEqual({
      value: 'flow Ltd',
      adjusted: ['LNAME: control or direction characters removed'],
    });
    const long = fitText('COMPANY', `${'x'.repeat(254)} ${'y'.repeat(5)}`);
    expect(long).toEqual({ value: 'x'.repeat(254), adjusted: ['COMPANY truncated to 255'] });
    // A character beyond the BMP counts once and is never split.
    expect(fitText('FNAME', '😀'.repeat(300)).value).toBe('😀'.repeat(255));
    expect(fitText('FNAME', 'Ann Lee')).toEqual({ value: 'Ann Lee', adjusted: [] });
  });

  it('maps a 100 KB company name, NUL, ESC and RLO to clean values, naming each change', () => {
    const mapped = mapCustomer(
      {
        ...base,
        CustomerName: `Maple${'\u0000'.repeat(3)} Hardware ${'z'.repeat(100_000)}`,
        ContactName: '\u202EPriya\u001b Natarajan',
        City: `Toronto\u0000`,
      },
      DEFAULT_MAPPING_SETTINGS,
    );
    if (mapped.kind !== 'member') throw new Error('not a member');
    const fields = mapped.member.mergeFields as Record<string, string> & { ADDRESS: Record<string, string> };
    expect([...fields.COMPANY!]).toHaveLength(255);
    expect(fields.COMPANY!.startsWith('Maple Hardware zzz')).toBe(true);
    expect(fields.FNAME).toBe('Priya');
    expect(fields.ADDRESS.city).toBe('Toronto');
    expect(mapped.adjusted).toEqual([
      'FNAME: control or direction characters removed',
      'COMPANY: control or direction characters removed',
      'COMPANY truncated to 255',
      'ADDRESS.city: control or direction characters removed',
    ]);
    // A clean record carries no note, and maps exactly as before.
    expect(mapCustomer(base, DEFAULT_MAPPING_SETTINGS)).not.toHaveProperty('adjusted');
  });
});
