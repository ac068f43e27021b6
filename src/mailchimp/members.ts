import { z } from 'zod';
import { AudienceSnapshot, type SnapshotEntry } from './audience-snapshot.js';
import { MailchimpAuthError, MailchimpError, MailchimpNotFoundError } from './errors.js';
import { normalizeEmail, subscriberHash } from './hash.js';
import type { MailchimpHttp } from './http.js';
import {
  memberSchema,
  mergeFieldPageSchema,
  type MailchimpMember,
  type MemberInput,
  type MemberOutcome,
  type MemberWriteResult,
  type MergeFieldSpec,
  type OutcomeError,
} from './types.js';
import { forEachBounded } from '../shared/concurrency.js';

const enc = encodeURIComponent;
const MERGE_FIELD_PAGE = 1000; // Mailchimp's maximum `count`; the default of 10 would miss fields
const MEMBER_PAGE = 1000;

const snapshotPageSchema = z
  .object({
    members: z.array(
      z
        .object({
          id: z.string(),
          status: z.string(),
          merge_fields: z.record(z.string(), z.unknown()).optional(),
        })
        .loose(),
    ),
    total_items: z.number(),
  })
  .loose();

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new MailchimpError(
      `Mailchimp answered with an unexpected ${what}: ${parsed.error.issues[0]?.message}`,
    );
  }
  return parsed.data;
}

export async function listMergeFieldTags(http: MailchimpHttp, listId: string): Promise<Set<string>> {
  const tags = new Set<string>();
  for (let offset = 0; ; offset += MERGE_FIELD_PAGE) {
    const page = parseWith(
      mergeFieldPageSchema,
      await http.request('GET', `lists/${enc(listId)}/merge-fields`, {
        searchParams: { count: MERGE_FIELD_PAGE, offset },
      }),
      'merge field page',
    );
    for (const f of page.merge_fields) tags.add(f.tag.toUpperCase());
    if (page.merge_fields.length < MERGE_FIELD_PAGE || offset + MERGE_FIELD_PAGE >= page.total_items) break;
  }
  return tags;
}

/**
 * An audience read once into an AudienceSnapshot: `GET members` with only the id (the subscriber
 * hash), the status and the customer-number merge field (`fields`), 1,000 a page; once the first
 * page tells how many there are, the others are read `concurrency` at once. `status` reads only
 * the members in it (archived ones, for the batch path). A member changed while the pages are read
 * may be missed or seen twice (offset paging); the caller reads again for its next job.
 */
export async function audienceSnapshot(
  http: MailchimpHttp,
  listId: string,
  concurrency: number,
  opts: { status?: 'archived'; customerTag?: string } = {},
): Promise<AudienceSnapshot> {
  const tag = opts.customerTag;
  const fields = [
    'members.id',
    'members.status',
    ...(tag ? [`members.merge_fields.${tag}`] : []),
    'total_items',
  ];
  const entries: SnapshotEntry[] = [];
  const read = async (offset: number) => {
    const page = parseWith(
      snapshotPageSchema,
      await http.request('GET', `lists/${enc(listId)}/members`, {
        searchParams: {
          ...(opts.status ? { status: opts.status } : {}),
          fields: fields.join(','),
          count: MEMBER_PAGE,
          offset,
        },
      }),
      'member page',
    );
    for (const m of page.members) {
      const customer = tag ? m.merge_fields?.[tag] : undefined;
      entries.push({
        id: m.id,
        status: m.status,
        ...(typeof customer === 'string' || typeof customer === 'number'
          ? { customer: String(customer) }
          : {}),
      });
    }
    return page.total_items;
  };
  const total = await read(0);
  const offsets: number[] = [];
  for (let offset = MEMBER_PAGE; offset < total; offset += MEMBER_PAGE) offsets.push(offset);
  await forEachBounded(offsets, concurrency, async (offset) => void (await read(offset)));
  return new AudienceSnapshot(entries);
}

/** Creates the merge fields the sync writes that the audience lacks; returns the tags it created. */
export async function ensureMergeFields(
  http: MailchimpHttp,
  listId: string,
  specs: MergeFieldSpec[],
): Promise<string[]> {
  const existing = await listMergeFieldTags(http, listId);
  const created: string[] = [];
  for (const spec of specs) {
    if (existing.has(spec.tag.toUpperCase())) continue;
    await http.request('POST', `lists/${enc(listId)}/merge-fields`, {
      json: {
        tag: spec.tag,
        name: spec.name,
        type: spec.type,
        required: spec.required ?? false,
        public: spec.public ?? false,
      },
    });
    created.push(spec.tag);
  }
  return created;
}

const CREATED_WINDOW_MS = 15 * 60_000;

function seconds(ts: string | undefined): number | undefined {
  if (!ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * Mailchimp's PUT answers 200 whether it created or updated the member, so the response decides:
 * a member is "created" when its last change is its opt-in or sign-up moment (nothing has happened
 * to it since it was added) and that moment is recent (within 15 minutes of this request, generous
 * for clock skew). Everything else is "updated", including a new member whose response carries
 * neither timestamp. A member re-sent within the same second it was added, or unchanged within 15
 * minutes, could be counted as created twice; that only affects the counters, never the data.
 */
export function memberAction(member: MailchimpMember, requestStartedAt: number): 'created' | 'updated' {
  const changed = seconds(member.last_changed);
  if (changed === undefined) return 'updated';
  const addedAt = [seconds(member.timestamp_opt), seconds(member.timestamp_signup)];
  const sameAsAdded = addedAt.some((t) => t !== undefined && t === changed);
  const recent = changed * 1000 >= requestStartedAt - CREATED_WINDOW_MS;
  return sameAsAdded && recent ? 'created' : 'updated';
}

const EMAIL_SHAPE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

export function isOwnedTag(name: string, owned: { names: string[]; prefixes: string[] }): boolean {
  const lower = name.toLowerCase();
  return (
    owned.names.some((n) => n.toLowerCase() === lower) ||
    owned.prefixes.some((p) => lower.startsWith(p.toLowerCase()))
  );
}

/** The tags a member is written with: trimmed, without blanks or repeats. */
export function wantedTags(tags: string[] | undefined): string[] {
  return [...new Set((tags ?? []).map((t) => t.trim()).filter(Boolean))];
}

export async function upsertMember(
  http: MailchimpHttp,
  listId: string,
  m: MemberInput,
): Promise<MemberWriteResult> {
  const email = normalizeEmail(m.email);
  const hash = subscriberHash(email);
  const tags = wantedTags(m.tags);
  const startedAt = Date.now();
  // status_if_new only, never status: an existing member's status (unsubscribed, cleaned, archived)
  // is Mailchimp's record of the person's consent and the ERP must not overwrite it.
  const body: Record<string, unknown> = {
    email_address: email,
    status_if_new: m.statusIfNew,
    merge_fields: m.mergeFields,
  };
  if (m.language) body.language = m.language;
  // Tags in the body are applied only when the member is created; existing members get them below.
  if (tags.length > 0) body.tags = tags;
  const member = parseWith(
    memberSchema,
    await http.request('PUT', `lists/${enc(listId)}/members/${m.memberId ?? hash}`, { json: body }),
    'member',
  );
  const current = (member.tags ?? []).map((t) => t.name);
  const have = new Set(current.map((t) => t.toLowerCase()));
  const wanted = new Set(tags.map((t) => t.toLowerCase()));
  const missing = tags.filter((t) => !have.has(t.toLowerCase()));
  // Stale tags are removed only when the connector owns them (e.g. `inactive` after a customer is
  // reactivated); tags set by marketers in Mailchimp are left alone. The PUT's answer already lists
  // the member's tags, so the steady state still costs one request.
  const stale = m.ownedTags
    ? current.filter((t) => isOwnedTag(t, m.ownedTags!) && !wanted.has(t.toLowerCase()))
    : [];
  if (missing.length > 0 || stale.length > 0) {
    await setMemberTags(http, listId, email, [
      ...missing.map((name) => ({ name, status: 'active' as const })),
      ...stale.map((name) => ({ name, status: 'inactive' as const })),
    ]);
  }
  const staleLower = new Set(stale.map((t) => t.toLowerCase()));
  return {
    // A write to the customer's old member (its address moved) updates that member by definition.
    action: m.memberId && m.memberId !== hash ? 'updated' : memberAction(member, startedAt),
    id: member.id,
    status: member.status,
    tags: [...current.filter((t) => !staleLower.has(t.toLowerCase())), ...missing],
  };
}

export async function setMemberTags(
  http: MailchimpHttp,
  listId: string,
  email: string,
  tags: { name: string; status: 'active' | 'inactive' }[],
): Promise<void> {
  await tagMember(http, listId, subscriberHash(email), tags);
}

/** Sets tags on the member with this id (subscriber hash); a tag already set is left as it is. */
export async function tagMember(
  http: MailchimpHttp,
  listId: string,
  memberId: string,
  tags: { name: string; status: 'active' | 'inactive' }[],
): Promise<void> {
  await http.request('POST', `lists/${enc(listId)}/members/${enc(memberId)}/tags`, { json: { tags } });
}

export function getMember(
  http: MailchimpHttp,
  listId: string,
  email: string,
): Promise<MailchimpMember | undefined> {
  return memberById(http, listId, subscriberHash(email));
}

/** The member with this id (subscriber hash), whatever its address; `fields` limits what is read. */
export async function memberById(
  http: MailchimpHttp,
  listId: string,
  memberId: string,
  fields?: readonly string[],
): Promise<MailchimpMember | undefined> {
  try {
    return parseWith(
      memberSchema,
      await http.request('GET', `lists/${enc(listId)}/members/${enc(memberId)}`, {
        ...(fields ? { searchParams: { fields: fields.join(',') } } : {}),
      }),
      'member',
    );
  } catch (err) {
    if (err instanceof MailchimpNotFoundError) return undefined;
    throw err;
  }
}

/**
 * Many members, one PUT each: `concurrency` workers each take the next input, so at most that many
 * members are in flight (the shared limiter still bounds the requests). Record-level failures
 * become outcomes; only a credentials failure stops the whole run.
 */
export async function upsertMembers(
  http: MailchimpHttp,
  listId: string,
  inputs: MemberInput[],
  concurrency: number,
): Promise<MemberOutcome[]> {
  const outcomes: MemberOutcome[] = new Array(inputs.length);
  // A refusal of one member is its outcome; anything thrown (bad credentials, a bug) stops the rest.
  await forEachBounded(inputs.keys(), concurrency, async (index) => {
    outcomes[index] = await upsertOne(http, listId, inputs[index]!);
  });
  return outcomes;
}

/** Whether the address can be sent at all; one that cannot is refused without a request. */
export function isEmailShaped(email: string): boolean {
  return EMAIL_SHAPE.test(normalizeEmail(email));
}

/**
 * A Mailchimp error as one member's outcome. Anything not about a record (bad credentials, a bug)
 * is thrown on: it stops the whole run.
 */
export function outcomeErrorOf(err: unknown): OutcomeError {
  if (err instanceof MailchimpAuthError || !(err instanceof MailchimpError)) throw err;
  return {
    kind: err.retryable ? 'retryable' : 'permanent',
    status: err.status,
    title: err.title,
    detail: err.detail,
  };
}

async function upsertOne(http: MailchimpHttp, listId: string, input: MemberInput): Promise<MemberOutcome> {
  const email = input.email;
  if (!isEmailShaped(email)) {
    return {
      ok: false,
      email,
      error: {
        kind: 'permanent',
        title: 'Invalid Resource',
        detail: 'not an email address (checked before sending)',
      },
    };
  }
  try {
    const r = await upsertMember(http, listId, input);
    return { ok: true, email, action: r.action, id: r.id, status: r.status };
  } catch (err) {
    return { ok: false, email, error: outcomeErrorOf(err) };
  }
}
