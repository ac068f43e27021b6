import { Audience, nextWebId, type MemberRecord, type WritableStatus } from './audience.js';
import type { SimContext } from './context.js';
import { emailProblem } from './email.js';
import { mergeValues } from './merge-fields.js';
import { ApiProblem } from './problems.js';
import { subscriberHash, type Json } from './validate.js';

// Member state changes with Mailchimp's consent rules, shared by the member routes, batch subscribe,
// e-commerce customers and test seeding.

const COMPLIANCE: ReadonlySet<string> = new Set(['unsubscribed', 'cleaned']);

export const memberExists = (email: string) =>
  new ApiProblem(
    400,
    'Member Exists',
    `${email} is already a list member. Use PUT to insert or update list members.`,
  );
export const forgottenEmail = (email: string) =>
  new ApiProblem(
    400,
    'Forgotten Email Not Subscribed',
    `${email} was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.`,
  );
const complianceState = (email: string) =>
  new ApiProblem(
    400,
    'Member In Compliance State',
    `${email} is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.`,
  );

export interface NewMember {
  email: string;
  status: WritableStatus;
  mergeFields?: Json;
  tags?: string[];
  language?: string;
  vip?: boolean;
  emailType?: string;
  source?: string;
}

/** Adds a member with no validation beyond what the caller did (shared by API, e-commerce and seeding). */
export function insertMember(aud: Audience, n: NewMember, now = Date.now()): MemberRecord {
  const m: MemberRecord = {
    id: subscriberHash(n.email),
    email: n.email.trim(),
    status: n.status,
    emailType: n.emailType ?? 'html',
    mergeFields: n.mergeFields ?? {},
    tags: new Map((n.tags ?? []).map((t) => [t, now])),
    language: n.language ?? '',
    vip: n.vip ?? false,
    webId: nextWebId(),
    createdAt: now,
    lastChanged: now,
    source: n.source ?? 'API - Generic',
  };
  for (const t of m.tags.keys()) aud.tag(t, now).updatedAt = now;
  if (n.status === 'subscribed') m.optAt = now;
  aud.addMember(m);
  return m;
}

export function eventData(aud: Audience, m: MemberRecord): Json {
  const merges: Json = { EMAIL: m.email };
  for (const f of aud.mergeFields) {
    const v = m.mergeFields[f.tag];
    if (v !== undefined && v !== '') merges[f.tag] = v;
  }
  return {
    id: m.id.slice(0, 10),
    list_id: aud.id,
    email: m.email,
    email_type: m.emailType,
    web_id: String(m.webId),
    ip_opt: '',
    ip_signup: '',
    merges,
  };
}

function statusEvent(ctx: SimContext, aud: Audience, m: MemberRecord, before: string): void {
  if (m.status === before || aud.webhooks.size === 0) return;
  if (m.status === 'subscribed') ctx.emitApiEvent(aud, 'subscribe', eventData(aud, m));
  else if (m.status === 'unsubscribed')
    ctx.emitApiEvent(aud, 'unsubscribe', { ...eventData(aud, m), action: 'unsub', reason: 'manual' });
  else if (m.status === 'cleaned')
    ctx.emitApiEvent(aud, 'cleaned', { list_id: aud.id, campaign_id: '', reason: 'hard', email: m.email });
}

export interface UpdateInput {
  status?: WritableStatus;
  statusIfNew?: WritableStatus;
  newEmail?: string;
  mergeFields?: unknown;
  language?: unknown;
  vip?: unknown;
  emailType?: unknown;
  skipMergeValidation: boolean;
}

/** Applies an update to an existing member with the consent rules (status vs status_if_new, compliance). */
export function updateMember(ctx: SimContext, aud: Audience, m: MemberRecord, u: UpdateInput): void {
  const effective = m.status === 'archived' ? (m.statusBeforeArchive ?? 'subscribed') : m.status;
  let target: WritableStatus = effective;
  if (u.status) {
    if (u.status === 'subscribed' && COMPLIANCE.has(effective)) throw complianceState(m.email);
    target = u.status;
  } else if (m.status === 'archived') {
    // Re-adding an archived contact: an earlier opt-out survives archiving.
    target = COMPLIANCE.has(effective) ? effective : (u.statusIfNew ?? effective);
  }
  let newHash: string | undefined;
  if (u.newEmail !== undefined && subscriberHash(u.newEmail) !== m.id) {
    newHash = subscriberHash(u.newEmail);
    if (aud.members.has(newHash)) throw memberExists(u.newEmail);
    if (aud.forgotten.has(newHash)) throw forgottenEmail(u.newEmail);
    const bad = emailProblem(u.newEmail);
    if (bad) throw bad;
  }
  const merges = mergeValues(aud, m.mergeFields, u.mergeFields, u.skipMergeValidation);
  const now = Date.now();
  const before = m.status;
  const profileChanged = aud.webhooks.size > 0 && JSON.stringify(merges) !== JSON.stringify(m.mergeFields);
  const oldEmail = m.email;
  m.mergeFields = merges;
  if (typeof u.language === 'string') m.language = u.language;
  if (typeof u.vip === 'boolean') m.vip = u.vip;
  if (typeof u.emailType === 'string') m.emailType = u.emailType;
  if (newHash && u.newEmail) aud.rekey(m, u.newEmail.trim(), newHash);
  aud.setStatus(m, target, now);
  m.statusBeforeArchive = undefined;
  m.lastChanged = now;
  if (newHash) {
    ctx.emitApiEvent(aud, 'upemail', {
      list_id: aud.id,
      new_id: m.id.slice(0, 10),
      new_email: m.email,
      old_email: oldEmail,
    });
  }
  statusEvent(ctx, aud, m, before);
  if (profileChanged && before === m.status && aud.webhooks.size)
    ctx.emitApiEvent(aud, 'profile', eventData(aud, m));
}

export function createChecked(
  ctx: SimContext,
  aud: Audience,
  skipMergeValidation: boolean,
  b: Json,
  status: WritableStatus,
): MemberRecord {
  const email = String(b.email_address).trim();
  const hash = subscriberHash(email);
  if (aud.forgotten.has(hash)) throw forgottenEmail(email);
  const bad = emailProblem(email);
  if (bad) throw bad;
  const merges = mergeValues(aud, undefined, b.merge_fields, skipMergeValidation);
  const m = insertMember(aud, {
    email,
    status,
    mergeFields: merges,
    tags: Array.isArray(b.tags) ? b.tags.filter((t): t is string => typeof t === 'string') : [],
    language: typeof b.language === 'string' ? b.language : undefined,
    vip: typeof b.vip === 'boolean' ? b.vip : undefined,
    emailType: typeof b.email_type === 'string' ? b.email_type : undefined,
  });
  if (status === 'subscribed' && aud.webhooks.size) ctx.emitApiEvent(aud, 'subscribe', eventData(aud, m));
  return m;
}
