import { Audience, MEMBER_STATUSES, nextWebId, type MemberRecord, type WritableStatus } from './audience.js';
import type { SimContext } from './context.js';
import { emailProblem } from './email.js';
import { mergeValues } from './merge-fields.js';
import { ApiProblem, notFound } from './problems.js';
import type { Router } from './router.js';
import {
  FieldChecker,
  boolParam,
  mcTime,
  objectBody,
  paging,
  subscriberHash,
  type Json,
} from './validate.js';

const COMPLIANCE: ReadonlySet<string> = new Set(['unsubscribed', 'cleaned']);

export const memberExists = (email: string) =>
  new ApiProblem(
    400,
    'Member Exists',
    `${email} is already a list member. Use PUT to insert or update list members.`,
  );
const forgottenEmail = (email: string) =>
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

/** The path slot may hold the MD5 hash or (newer API) the address itself. */
export function slotHash(slot: string | undefined): string {
  const s = slot ?? '';
  return s.includes('@') ? subscriberHash(s) : s.toLowerCase();
}

function checkMemberBody(b: Json, required: string[], statusFields: string[]): void {
  const c = new FieldChecker(b).required(...required).type('email_address', 'string');
  for (const f of statusFields) c.oneOf(f, MEMBER_STATUSES);
  c.type('merge_fields', 'object').type('tags', 'array').type('vip', 'boolean').type('language', 'string');
  c.type('email_type', 'string').throwIfAny();
}

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
  for (const t of m.tags.keys()) aud.tagId(t);
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

function member(aud: Audience, slot: string | undefined): MemberRecord {
  const m = aud.members.get(slotHash(slot));
  if (!m) throw notFound();
  return m;
}

export function registerMemberRoutes(router: Router, ctx: SimContext): void {
  const base = '/lists/:list_id/members';

  router.on('GET', base, (req) => {
    const aud = ctx.list(req.params.list_id);
    const { count, offset } = paging(req.query);
    const status = req.query.get('status');
    const since = req.query.get('since_last_changed');
    let source: MemberRecord[] = aud.order;
    if (status || since) {
      const sinceMs = since ? Date.parse(since) : undefined;
      source = aud.order.filter(
        (m) => (!status || m.status === status) && (sinceMs === undefined || m.lastChanged >= sinceMs),
      );
    }
    return {
      status: 200,
      body: {
        members: source.slice(offset, offset + count).map((m) => aud.memberJson(m)),
        list_id: aud.id,
        total_items: source.length,
        _links: [],
      },
    };
  });

  router.on('POST', base, (req) => {
    const aud = ctx.list(req.params.list_id);
    const b = objectBody(req.body);
    checkMemberBody(b, ['email_address', 'status'], ['status']);
    const email = String(b.email_address).trim();
    if (aud.members.has(subscriberHash(email))) throw memberExists(email);
    const m = createChecked(
      ctx,
      aud,
      boolParam(req.query, 'skip_merge_validation'),
      b,
      b.status as WritableStatus,
    );
    return { status: 200, body: aud.memberJson(m) };
  });

  router.on('GET', `${base}/:hash`, (req) => {
    const aud = ctx.list(req.params.list_id);
    return { status: 200, body: aud.memberJson(member(aud, req.params.hash)) };
  });

  router.on('PUT', `${base}/:hash`, (req) => {
    const aud = ctx.list(req.params.list_id);
    const b = objectBody(req.body);
    checkMemberBody(b, ['email_address', 'status_if_new'], ['status', 'status_if_new']);
    const hash = slotHash(req.params.hash);
    const email = String(b.email_address).trim();
    const existing = aud.members.get(hash);
    if (!existing) {
      if (subscriberHash(email) !== hash) {
        throw new ApiProblem(
          400,
          'Invalid Resource',
          'The subscriber hash provided does not match the email address.',
          [
            {
              field: 'email_address',
              message: 'The email address does not match the subscriber hash in the URL.',
            },
          ],
        );
      }
      const status = (b.status ?? b.status_if_new) as WritableStatus;
      return {
        status: 200,
        body: aud.memberJson(
          createChecked(ctx, aud, boolParam(req.query, 'skip_merge_validation'), b, status),
        ),
      };
    }
    // Tags in the body only apply when the member is created (Mailchimp ignores them on updates).
    updateMember(ctx, aud, existing, {
      status: b.status as WritableStatus | undefined,
      statusIfNew: b.status_if_new as WritableStatus,
      newEmail: email,
      mergeFields: b.merge_fields,
      language: b.language,
      vip: b.vip,
      emailType: b.email_type,
      skipMergeValidation: boolParam(req.query, 'skip_merge_validation'),
    });
    return { status: 200, body: aud.memberJson(existing) };
  });

  router.on('PATCH', `${base}/:hash`, (req) => {
    const aud = ctx.list(req.params.list_id);
    const m = member(aud, req.params.hash);
    const b = objectBody(req.body);
    checkMemberBody(b, [], ['status']);
    updateMember(ctx, aud, m, {
      status: b.status as WritableStatus | undefined,
      newEmail: typeof b.email_address === 'string' ? b.email_address : undefined,
      mergeFields: b.merge_fields,
      language: b.language,
      vip: b.vip,
      emailType: b.email_type,
      skipMergeValidation: boolParam(req.query, 'skip_merge_validation'),
    });
    return { status: 200, body: aud.memberJson(m) };
  });

  router.on('DELETE', `${base}/:hash`, (req) => {
    const aud = ctx.list(req.params.list_id);
    const m = member(aud, req.params.hash);
    if (m.status === 'archived') {
      throw new ApiProblem(405, 'Method Not Allowed', 'This list member cannot be removed.', undefined, {
        Allow: 'GET, PUT, PATCH',
      });
    }
    m.statusBeforeArchive = m.status;
    aud.setStatus(m, 'archived', Date.now());
    m.lastChanged = Date.now();
    return { status: 204 };
  });

  router.on('POST', `${base}/:hash/actions/delete-permanent`, (req) => {
    const aud = ctx.list(req.params.list_id);
    aud.removeForever(member(aud, req.params.hash));
    return { status: 204 };
  });

  router.on('GET', `${base}/:hash/tags`, (req) => {
    const aud = ctx.list(req.params.list_id);
    const m = member(aud, req.params.hash);
    const { count, offset } = paging(req.query);
    const all = [...m.tags.entries()].map(([name, at]) => ({
      id: aud.tagId(name),
      name,
      date_added: mcTime(at),
    }));
    return {
      status: 200,
      body: { tags: all.slice(offset, offset + count), total_items: all.length, _links: [] },
    };
  });

  router.on('POST', `${base}/:hash/tags`, (req) => {
    const aud = ctx.list(req.params.list_id);
    const m = member(aud, req.params.hash);
    const b = objectBody(req.body);
    new FieldChecker(b).required('tags').type('tags', 'array').throwIfAny();
    const tags = b.tags as unknown[];
    const c = new FieldChecker(b);
    tags.forEach((t, i) => {
      const tag = t as Json;
      if (typeof t !== 'object' || t === null || typeof tag.name !== 'string' || tag.name.trim() === '') {
        c.errors.push({ field: `tags.item:${i}.name`, message: 'Required fields were not provided: name' });
      } else if (tag.status !== 'active' && tag.status !== 'inactive') {
        c.errors.push({ field: `tags.item:${i}.status`, message: 'Value must be one of: active, inactive' });
      }
    });
    c.throwIfAny();
    const now = Date.now();
    for (const t of tags as { name: string; status: string }[]) {
      const name = t.name.trim();
      if (t.status === 'active') {
        if (!m.tags.has(name)) m.tags.set(name, now);
        aud.tagId(name);
      } else m.tags.delete(name);
    }
    m.lastChanged = now;
    return { status: 204 };
  });
}
