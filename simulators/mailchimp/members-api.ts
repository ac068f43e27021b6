import { Audience, MEMBER_STATUSES, type MemberRecord, type WritableStatus } from './audience.js';
import type { SimContext } from './context.js';
import { createChecked, memberExists, updateMember } from './member-writes.js';
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
      if (t.status === 'active') aud.addTag(m, name, now);
      else aud.removeTag(m, name, now);
    }
    m.lastChanged = now;
    return { status: 204 };
  });
}
