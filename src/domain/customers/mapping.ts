import { maskAnyEmail } from '../../logging/redact.js';
import { adjustments } from '../mailchimp-limits.js';
import { emailIdentity, isValidEmail } from './email.js';
import { splitContactName } from './names.js';

/** The ARCustomers fields the mapping reads (a structural subset of the Sage schema). */
export interface CustomerFields {
  CustomerNumber: string;
  CustomerName?: string | null;
  ContactName?: string | null;
  Email?: string | null;
  ContactsEmail?: string | null;
  PhoneNumber?: string | null;
  ContactsPhone?: string | null;
  AddressLine1?: string | null;
  AddressLine2?: string | null;
  AddressLine3?: string | null;
  AddressLine4?: string | null;
  City?: string | null;
  StateProvince?: string | null;
  ZipPostalCode?: string | null;
  Country?: string | null;
  GroupCode?: string | null;
  TerritoryCode?: string | null;
  Status?: string | null;
  OnHold?: string | boolean | null;
  DateLastMaintained?: string | null;
}

export type StatusIfNew = 'subscribed' | 'unsubscribed' | 'pending' | 'transactional';

export interface CustomerMappingSettings {
  /** Status given to people new to the audience; existing members keep theirs. */
  statusIfNew: StatusIfNew;
  includeInactive: boolean;
  includeOnHold: boolean;
  /** Merge field that carries the Sage customer number (at most 10 characters). */
  customerNumberMergeTag: string;
}

export const DEFAULT_MAPPING_SETTINGS: CustomerMappingSettings = {
  statusIfNew: 'transactional',
  includeInactive: true,
  includeOnHold: true,
  customerNumberMergeTag: 'SAGECUST',
};

/** Same shape as the Mailchimp client's MemberInput. */
export interface MemberPayload {
  email: string;
  statusIfNew: StatusIfNew;
  mergeFields: Record<string, unknown>;
  tags: string[];
  ownedTags: { names: string[]; prefixes: string[] };
}

export type MappedCustomer =
  /** `adjusted`: what was changed to fit Mailchimp's limits (src/domain/mailchimp-limits.ts). */
  | { kind: 'member'; key: string; member: MemberPayload; adjusted?: string[] }
  | { kind: 'skip'; key: string; reason: string; maskedEmail?: string };

export const MAX_TAG_LENGTH = 100;

const text = (v: string | null | undefined) => (v ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();

export function isInactive(c: Pick<CustomerFields, 'Status'>): boolean {
  return text(c.Status).toLowerCase() === 'inactive';
}

export function isOnHold(c: Pick<CustomerFields, 'OnHold'>): boolean {
  return c.OnHold === true || text(typeof c.OnHold === 'string' ? c.OnHold : '').toLowerCase() === 'yes';
}

/** YYYY-MM-DD of DateLastMaintained (Sage stores a date; the time is always midnight). */
export function maintainedDay(c: Pick<CustomerFields, 'DateLastMaintained'>): string | undefined {
  const v = text(c.DateLastMaintained);
  return /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : undefined;
}

export type EmailChoice = { ok: true; email: string } | { ok: false; reason: string; maskedEmail?: string };

/**
 * The customer's address: the first valid one of `Email` and `ContactsEmail`. A record whose
 * fields are empty is skipped "no email"; one whose fields are filled but unusable "invalid email".
 */
export function chooseEmail(c: Pick<CustomerFields, 'Email' | 'ContactsEmail'>): EmailChoice {
  const candidates = [text(c.Email), text(c.ContactsEmail)].filter((e) => e !== '');
  const valid = candidates.find(isValidEmail);
  if (valid) return { ok: true, email: valid };
  if (candidates.length === 0) return { ok: false, reason: 'no email' };
  return { ok: false, reason: 'invalid email', maskedEmail: maskAnyEmail(candidates[0]!) };
}

/** Why a customer is left out by the inactive / on-hold settings, or undefined when it is included. */
export function exclusionReason(
  c: Pick<CustomerFields, 'Status' | 'OnHold'>,
  settings: CustomerMappingSettings,
): string | undefined {
  if (!settings.includeInactive && isInactive(c)) return 'inactive (SYNC_INCLUDE_INACTIVE=false)';
  if (!settings.includeOnHold && isOnHold(c)) return 'on hold (SYNC_INCLUDE_ON_HOLD=false)';
  return undefined;
}

/** The identity a customer would be synced under, or undefined if it would not be synced at all. */
export function syncedEmailIdentity(
  c: Pick<CustomerFields, 'Email' | 'ContactsEmail' | 'Status' | 'OnHold'>,
  settings: CustomerMappingSettings,
): string | undefined {
  if (exclusionReason(c, settings)) return undefined;
  const choice = chooseEmail(c);
  return choice.ok ? emailIdentity(choice.email) : undefined;
}

const COUNTRY_CODES: Record<string, string> = {
  canada: 'CA',
  'united states': 'US',
  'united states of america': 'US',
  usa: 'US',
  'u.s.a.': 'US',
  'united kingdom': 'GB',
  uk: 'GB',
  'great britain': 'GB',
  australia: 'AU',
  'new zealand': 'NZ',
  ireland: 'IE',
  mexico: 'MX',
  'south africa': 'ZA',
  singapore: 'SG',
  'hong kong': 'HK',
  malaysia: 'MY',
  france: 'FR',
  germany: 'DE',
};

/** Country as an ISO 3166 two-letter code when we recognise it, otherwise as written. */
export function countryCode(raw: string | null | undefined): string {
  const v = text(raw);
  if (/^[A-Za-z]{2}$/.test(v)) return v.toUpperCase();
  return COUNTRY_CODES[v.toLowerCase()] ?? v;
}

/**
 * Mailchimp's ADDRESS merge field, only when complete (a partial address is rejected); each part
 * fitted to Mailchimp's limits, its changes noted in `fix`.
 */
export function mapAddress(c: CustomerFields, fix = adjustments()): Record<string, string> | undefined {
  const addr1 = fix.fitTo('ADDRESS.addr1', text(c.AddressLine1));
  const city = fix.fitTo('ADDRESS.city', text(c.City));
  const state = fix.fitTo('ADDRESS.state', text(c.StateProvince));
  const zip = fix.fitTo('ADDRESS.zip', text(c.ZipPostalCode));
  if (!addr1 || !city || !state || !zip) return undefined;
  const addr2 = fix.fitTo(
    'ADDRESS.addr2',
    [c.AddressLine2, c.AddressLine3, c.AddressLine4].map(text).filter(Boolean).join(', '),
  );
  const country = fix.fitTo('ADDRESS.country', countryCode(c.Country));
  return { addr1, ...(addr2 ? { addr2 } : {}), city, state, zip, ...(country ? { country } : {}) };
}

export function tag(name: string): string {
  return name.length > MAX_TAG_LENGTH ? name.slice(0, MAX_TAG_LENGTH) : name;
}

/** The tags mapTags can produce: the connector may remove these when they no longer apply. */
export const CUSTOMER_OWNED_TAGS = { names: ['inactive', 'on-hold'], prefixes: ['group:', 'territory:'] };

/** Tags from the group and territory codes, plus `inactive` / `on-hold`. */
export function mapTags(c: CustomerFields): string[] {
  const tags: string[] = [];
  const group = text(c.GroupCode);
  const territory = text(c.TerritoryCode);
  if (group) tags.push(tag(`group:${group}`));
  if (territory) tags.push(tag(`territory:${territory}`));
  if (isInactive(c)) tags.push('inactive');
  if (isOnHold(c)) tags.push('on-hold');
  return tags;
}

/**
 * One Sage customer -> one Mailchimp member, or the reason it is skipped. Pure: the same record and
 * settings always give the same result (the fingerprint of the result decides "unchanged").
 */
export function mapCustomer(c: CustomerFields, settings: CustomerMappingSettings): MappedCustomer {
  const key = text(c.CustomerNumber);
  const excluded = exclusionReason(c, settings);
  if (excluded) return { kind: 'skip', key, reason: excluded };
  const choice = chooseEmail(c);
  if (!choice.ok) {
    return {
      kind: 'skip',
      key,
      reason: choice.reason,
      ...(choice.maskedEmail ? { maskedEmail: choice.maskedEmail } : {}),
    };
  }
  const fix = adjustments();
  const { first, last } = splitContactName(c.ContactName);
  const tagged = settings.customerNumberMergeTag;
  const mergeFields: Record<string, unknown> = { [tagged]: fix.fitTo(tagged, key) };
  const fname = fix.fitTo('FNAME', first);
  if (fname) mergeFields.FNAME = fname;
  const lname = fix.fitTo('LNAME', last);
  if (lname) mergeFields.LNAME = lname;
  const company = fix.fitTo('COMPANY', text(c.CustomerName));
  if (company) mergeFields.COMPANY = company;
  const address = mapAddress(c, fix);
  if (address) mergeFields.ADDRESS = address;
  const phone = fix.fitTo('PHONE', text(c.PhoneNumber)) || fix.fitTo('PHONE', text(c.ContactsPhone));
  if (phone) mergeFields.PHONE = phone;
  return {
    kind: 'member',
    key,
    member: {
      email: choice.email,
      statusIfNew: settings.statusIfNew,
      mergeFields,
      tags: mapTags(c),
      ownedTags: CUSTOMER_OWNED_TAGS,
    },
    ...(fix.list.length > 0 ? { adjusted: fix.list } : {}),
  };
}
