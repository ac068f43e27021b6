import type { Audience, MemberRecord, TagRecord } from './audience.js';
import type { SimContext } from './context.js';
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

// Static segments. In Mailchimp a static segment IS a tag (same id, same name), so these routes read and
// write the members' tags: a tag set through members/{hash}/tags is a segment here and back. Saved
// (condition) segments are not modelled.

/** members_to_add / members_to_remove cap (hitobito/hitobito#1819 quotes the 400 beyond it). */
export const MAX_SEGMENT_MEMBERS = 500;

const NOT_A_MEMBER =
  'Email addresses must belong to list members to be added to or removed from a static segment.';

function segmentJson(aud: Audience, t: TagRecord, memberCount: number): Json {
  return {
    id: t.id,
    name: t.name,
    member_count: memberCount,
    type: 'static',
    created_at: mcTime(t.createdAt),
    updated_at: mcTime(t.updatedAt),
    list_id: aud.id,
    _links: [],
  };
}

/** "Active subscribers currently included" (the spec's member_count), for several tags in one pass. */
function memberCounts(aud: Audience, tags: TagRecord[]): Map<string, number> {
  const counts = new Map(tags.map((t) => [t.name, 0]));
  if (tags.length === 0) return counts;
  for (const m of aud.order) {
    if (m.status !== 'subscribed' || m.tags.size === 0) continue;
    for (const name of m.tags.keys()) {
      const n = counts.get(name);
      if (n !== undefined) counts.set(name, n + 1);
    }
  }
  return counts;
}

function segment(aud: Audience, id: string | undefined): TagRecord {
  const t = /^\d+$/.test(id ?? '') ? aud.tagsById.get(Number(id)) : undefined;
  if (!t) throw notFound();
  return t;
}

function emailList(b: Json, field: string, c: FieldChecker): string[] {
  const v = b[field];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'string')) {
    c.errors.push({ field, message: 'Schema describes array of strings, other values found instead' });
    return [];
  }
  return v as string[];
}

/** The list members the addresses name; the others are reported (Mailchimp ignores them for create). */
function resolve(aud: Audience, emails: string[]): { found: MemberRecord[]; missing: string[] } {
  const found: MemberRecord[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  for (const e of emails) {
    const hash = subscriberHash(e);
    if (seen.has(hash)) continue;
    seen.add(hash);
    const m = aud.members.get(hash);
    if (m) found.push(m);
    else missing.push(e.trim());
  }
  return { found, missing };
}

function checkName(aud: Audience, b: Json, except?: TagRecord): string {
  new FieldChecker(b).required('name').type('name', 'string').throwIfAny();
  const name = String(b.name).trim();
  if (name === '') throw new ApiProblem(400, 'Invalid Resource', 'The segment name must not be empty.');
  const other = aud.tags.get(name);
  // One name, one tag: a second segment of that name would split the member's tag list in two.
  if (other && other !== except) {
    throw new ApiProblem(400, 'Invalid Resource', `A tag or static segment named "${name}" already exists.`);
  }
  return name;
}

export function registerSegmentRoutes(router: Router, ctx: SimContext): void {
  const base = '/lists/:list_id/segments';

  router.on('GET', base, (req) => {
    const aud = ctx.list(req.params.list_id);
    const { count, offset } = paging(req.query);
    const type = req.query.get('type');
    const time = (name: string) => {
      const v = req.query.get(name);
      return v ? Date.parse(v) : undefined;
    };
    const [sinceCreated, beforeCreated] = [time('since_created_at'), time('before_created_at')];
    const [sinceUpdated, beforeUpdated] = [time('since_updated_at'), time('before_updated_at')];
    const all =
      type && type !== 'static'
        ? []
        : [...aud.tagsById.values()].filter(
            (t) =>
              (sinceCreated === undefined || t.createdAt >= sinceCreated) &&
              (beforeCreated === undefined || t.createdAt <= beforeCreated) &&
              (sinceUpdated === undefined || t.updatedAt >= sinceUpdated) &&
              (beforeUpdated === undefined || t.updatedAt <= beforeUpdated),
          );
    const page = all.slice(offset, offset + count);
    const counts = memberCounts(aud, page);
    return {
      status: 200,
      body: {
        segments: page.map((t) => segmentJson(aud, t, counts.get(t.name) ?? 0)),
        list_id: aud.id,
        total_items: all.length,
        _links: [],
      },
    };
  });

  router.on('POST', base, (req) => {
    const aud = ctx.list(req.params.list_id);
    const b = objectBody(req.body);
    const name = checkName(aud, b);
    if (b.options !== undefined && b.static_segment !== undefined) {
      throw new ApiProblem(
        400,
        'Invalid Resource',
        'The static_segment field cannot be provided with the options field.',
      );
    }
    if (b.static_segment === undefined) {
      const detail =
        b.options === undefined
          ? 'Must provide either an "options" field or a "static_segment" field'
          : 'This simulator models static segments (tags) only; saved segments with conditions are not supported.';
      throw new ApiProblem(400, 'Invalid Resource', detail);
    }
    const c = new FieldChecker(b);
    const emails = emailList(b, 'static_segment', c);
    c.throwIfAny();
    const now = Date.now();
    const t = aud.tag(name, now);
    const { found } = resolve(aud, emails);
    for (const m of found) aud.addTag(m, name, now);
    return {
      status: 200,
      body: segmentJson(aud, t, memberCounts(aud, [t]).get(name) ?? 0),
      bulkMembers: emails.length,
    };
  });

  router.on('GET', `${base}/:segment_id`, (req) => {
    const aud = ctx.list(req.params.list_id);
    const t = segment(aud, req.params.segment_id);
    return { status: 200, body: segmentJson(aud, t, memberCounts(aud, [t]).get(t.name) ?? 0) };
  });

  router.on('PATCH', `${base}/:segment_id`, (req) => {
    const aud = ctx.list(req.params.list_id);
    const t = segment(aud, req.params.segment_id);
    const b = objectBody(req.body);
    const name = checkName(aud, b, t);
    const c = new FieldChecker(b);
    const emails = b.static_segment === undefined ? undefined : emailList(b, 'static_segment', c);
    c.throwIfAny();
    const now = Date.now();
    aud.renameTag(t, name, now);
    if (emails) {
      // A static_segment on update replaces the membership (an empty array empties the segment).
      const keep = new Set(resolve(aud, emails).found);
      for (const m of aud.order) {
        if (keep.has(m)) aud.addTag(m, name, now);
        else aud.removeTag(m, name, now);
      }
    }
    return {
      status: 200,
      body: segmentJson(aud, t, memberCounts(aud, [t]).get(name) ?? 0),
      bulkMembers: emails?.length ?? 0,
    };
  });

  router.on('DELETE', `${base}/:segment_id`, (req) => {
    const aud = ctx.list(req.params.list_id);
    aud.deleteTag(segment(aud, req.params.segment_id));
    return { status: 204 };
  });

  router.on('POST', `${base}/:segment_id`, (req) => {
    const aud = ctx.list(req.params.list_id);
    const t = segment(aud, req.params.segment_id);
    const b = objectBody(req.body);
    const c = new FieldChecker(b);
    const toAdd = emailList(b, 'members_to_add', c);
    const toRemove = emailList(b, 'members_to_remove', c);
    c.throwIfAny();
    if (toAdd.length > MAX_SEGMENT_MEMBERS || toRemove.length > MAX_SEGMENT_MEMBERS) {
      throw new ApiProblem(
        400,
        'Invalid Resource',
        `Maximum allowed member items exceeded, please provide at most ${MAX_SEGMENT_MEMBERS} items in members_to_add field or members_to_remove field`,
      );
    }
    const now = Date.now();
    const add = resolve(aud, toAdd);
    const remove = resolve(aud, toRemove);
    // Already in (or already out of) the segment counts as done, so a retried call answers the same.
    for (const m of add.found) aud.addTag(m, t.name, now);
    for (const m of remove.found) aud.removeTag(m, t.name, now);
    const missing = [...add.missing, ...remove.missing];
    const errors = missing.length ? [{ email_addresses: missing, error: NOT_A_MEMBER }] : [];
    return {
      status: 200,
      body: {
        members_added: add.found.map((m) => aud.memberJson(m)),
        members_removed: remove.found.map((m) => aud.memberJson(m)),
        errors,
        total_added: add.found.length,
        total_removed: remove.found.length,
        error_count: missing.length,
        _links: [],
      },
      bulkMembers: toAdd.length + toRemove.length,
    };
  });

  router.on('GET', `${base}/:segment_id/members`, (req) => {
    const aud = ctx.list(req.params.list_id);
    const t = segment(aud, req.params.segment_id);
    const { count, offset } = paging(req.query);
    const hidden = new Set<string>();
    if (!boolParam(req.query, 'include_unsubscribed')) hidden.add('unsubscribed');
    if (!boolParam(req.query, 'include_cleaned')) hidden.add('cleaned');
    if (!boolParam(req.query, 'include_transactional')) hidden.add('transactional');
    const all = aud.order.filter((m) => m.tags.has(t.name) && !hidden.has(m.status));
    return {
      status: 200,
      body: {
        members: all.slice(offset, offset + count).map((m) => aud.memberJson(m)),
        total_items: all.length,
        _links: [],
      },
    };
  });
}
