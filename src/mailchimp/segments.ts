import { z } from 'zod';
import { MailchimpError } from './errors.js';
import type { MailchimpHttp } from './http.js';
import { parseWith } from './members.js';

/** Mailchimp's cap on addresses per members_to_add (and per members_to_remove). */
export const SEGMENT_MEMBERS_MAX = 500;
const SEGMENT_PAGE = 1000;

const enc = encodeURIComponent;

const segmentSchema = z.object({ id: z.number(), name: z.string() }).loose();
export type StaticSegment = z.infer<typeof segmentSchema>;

const segmentPageSchema = z.object({ segments: z.array(segmentSchema), total_items: z.number() }).loose();

const membersResultSchema = z
  .object({
    errors: z.array(
      z.object({ email_addresses: z.array(z.string()).optional(), error: z.string().optional() }).loose(),
    ),
    total_added: z.number().optional(),
    error_count: z.number().optional(),
  })
  .loose();

/** Every static segment (tag) of the audience, 1,000 a request, only their id and name. */
export async function listStaticSegments(http: MailchimpHttp, listId: string): Promise<StaticSegment[]> {
  const all: StaticSegment[] = [];
  for (let offset = 0; ; offset += SEGMENT_PAGE) {
    const page = parseWith(
      segmentPageSchema,
      await http.request('GET', `lists/${enc(listId)}/segments`, {
        searchParams: {
          type: 'static',
          fields: 'segments.id,segments.name,total_items',
          count: SEGMENT_PAGE,
          offset,
        },
      }),
      'segment page',
    );
    all.push(...page.segments);
    if (page.segments.length < SEGMENT_PAGE || offset + SEGMENT_PAGE >= page.total_items) return all;
  }
}

/** An empty static segment: in Mailchimp, a tag of that name. */
export async function createStaticSegment(
  http: MailchimpHttp,
  listId: string,
  name: string,
): Promise<StaticSegment> {
  return parseWith(
    segmentSchema,
    await http.request('POST', `lists/${enc(listId)}/segments`, { json: { name, static_segment: [] } }),
    'segment',
  );
}

/**
 * Adds up to 500 addresses to a static segment (tags them). Returns the addresses Mailchimp did not
 * add, with its reason; addresses that are not members are ignored by Mailchimp.
 */
export async function addToStaticSegment(
  http: MailchimpHttp,
  listId: string,
  segmentId: number,
  emails: readonly string[],
): Promise<Array<{ email: string; error: string }>> {
  if (emails.length > SEGMENT_MEMBERS_MAX) {
    throw new MailchimpError(`a static segment takes at most ${SEGMENT_MEMBERS_MAX} addresses a request`);
  }
  const answer = parseWith(
    membersResultSchema,
    await http.request('POST', `lists/${enc(listId)}/segments/${segmentId}`, {
      json: { members_to_add: emails, members_to_remove: [] },
    }),
    'static segment answer',
  );
  return answer.errors.flatMap((e) =>
    (e.email_addresses ?? []).map((email) => ({ email, error: e.error ?? 'not added' })),
  );
}
