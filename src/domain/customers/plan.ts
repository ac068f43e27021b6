import { maskEmail } from '../../logging/redact.js';
import { fingerprint } from '../fingerprint.js';
import {
  mapCustomer,
  maintainedDay,
  type CustomerFields,
  type CustomerMappingSettings,
  type MemberPayload,
} from './mapping.js';

/** A customer's key as pages, cursors, the trail and the watermark name it. */
export function customerKey(c: Pick<CustomerFields, 'CustomerNumber'>): string {
  return String(c.CustomerNumber).trim();
}

/** What a page does with one customer record; `fp` is the fingerprint of what it maps to. */
export type CustomerStep = { key: string; day?: string; fp: string } & (
  | { action: 'unchanged' }
  | { action: 'skipped'; reason: string; email?: string }
  | { action: 'write'; member: MemberPayload; adjusted?: string[] }
);

export interface CustomerPlanContext {
  settings: CustomerMappingSettings;
  /** Duplicate-email losers -> the winning key: a loser is skipped. */
  duplicateOf?: Record<string, string>;
  /** The watermark's day: a record of that day whose fingerprint it holds (`known`) is unchanged. */
  boundaryDay?: string;
  /** Key -> fingerprint the watermark holds for `boundaryDay`. */
  known?: ReadonlyMap<string, string>;
}

/** Map, resolve duplicates, and drop what the watermark says Mailchimp already has. */
export function planCustomer(record: CustomerFields, ctx: CustomerPlanContext): CustomerStep {
  const key = customerKey(record);
  const day = maintainedDay(record);
  const winner = ctx.duplicateOf?.[key];
  const mapped = winner
    ? ({ kind: 'skip', key, reason: `duplicate of ${winner}` } as const)
    : mapCustomer(record, ctx.settings);
  const fp = fingerprint(key, mapped.kind === 'member' ? mapped.member : { skip: mapped.reason });
  if (ctx.known && day === ctx.boundaryDay && ctx.known.get(key) === fp) {
    return { key, day, fp, action: 'unchanged' };
  }
  if (mapped.kind === 'member') {
    const { member, adjusted } = mapped;
    return { key, day, fp, action: 'write', member, ...(adjusted ? { adjusted } : {}) };
  }
  const email =
    'maskedEmail' in mapped && mapped.maskedEmail
      ? mapped.maskedEmail
      : winner
        ? maskedAddress(record)
        : undefined;
  return { key, day, fp, action: 'skipped', reason: mapped.reason, ...(email ? { email } : {}) };
}

/** The latest day among `days`, leaving out days after `until` (Sage can stamp a future session date). */
export function latestDay(days: Iterable<string | undefined>, until?: string): string | undefined {
  let latest: string | undefined;
  for (const d of days) {
    if (d && (!latest || d > latest) && (!until || d <= until)) latest = d;
  }
  return latest;
}

function maskedAddress(record: CustomerFields): string | undefined {
  const raw = (record.Email ?? '').trim() || (record.ContactsEmail ?? '').trim();
  return raw ? maskEmail(raw) : undefined;
}
