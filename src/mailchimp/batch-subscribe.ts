import { z } from 'zod';
import { redactText } from '../logging/redact.js';
import { MailchimpError } from './errors.js';
import { normalizeEmail } from './hash.js';
import type { MailchimpHttp } from './http.js';
import { parseWith } from './members.js';
import type { MemberInput, OutcomeError } from './types.js';

/** Mailchimp's cap on members per batch subscribe call. */
export const BATCH_SUBSCRIBE_MAX = 500;

const enc = encodeURIComponent;

const resultSchema = z
  .object({
    new_members: z.array(z.object({ id: z.string(), email_address: z.string(), status: z.string() }).loose()),
    errors: z.array(
      z
        .object({
          email_address: z.string().optional(),
          error: z.string().optional(),
          error_code: z.string().optional(),
        })
        .loose(),
    ),
    total_created: z.number().optional(),
    error_count: z.number().optional(),
  })
  .loose();

/** What the batch call did with one member. */
export type BatchSubscribeOutcome =
  | { kind: 'created'; id: string; status: string }
  /** Already in the audience (any status, archived too): left untouched, for a PUT to write. */
  | { kind: 'exists' }
  /** Refused as a PUT of the same data would be: `error` is what that PUT would have answered. */
  | { kind: 'refused'; error: OutcomeError }
  /** A refusal whose PUT answer is not certain, or a member the answer does not mention: a PUT decides. */
  | { kind: 'unsettled' };

/**
 * The batch answer words a refusal as the member routes' `detail`, without their `title`. Refusals
 * whose title is certain get it back, so the reason recorded for the member is the one the PUT path
 * records for the same data; any other refusal is `unsettled` and left to a PUT, whose answer is
 * Mailchimp's own.
 */
const TITLES: Array<[RegExp, string]> = [
  [
    /looks fake or invalid|valid email address|signed up to a lot of lists|merge fields were invalid|could not be validated/i,
    'Invalid Resource',
  ],
  [/permanently deleted/i, 'Forgotten Email Not Subscribed'],
  [/compliance state/i, 'Member In Compliance State'],
];

function outcomeOf(error: { error?: string; error_code?: string }): BatchSubscribeOutcome {
  const said = error.error ?? '';
  if (error.error_code === 'ERROR_CONTACT_EXISTS' || /already a list member/i.test(said))
    return { kind: 'exists' };
  const title = TITLES.find(([re]) => re.test(said))?.[1];
  if (!title) return { kind: 'unsettled' };
  return { kind: 'refused', error: { kind: 'permanent', status: 400, title, detail: redactText(said) } };
}

/**
 * Adds members that are new to the audience, up to 500 in one request (`POST /lists/{id}`): each
 * with `status` = its `statusIfNew`, merge fields and language (tags go through static segments,
 * see tag-segments.ts). `update_existing` is always false, so a member already in the audience is
 * never changed by this call, whatever its status: Mailchimp reports it (`ERROR_CONTACT_EXISTS`)
 * and the caller writes it with the PUT path's `status_if_new`. One outcome per input, in order.
 */
export async function subscribeNew(
  http: MailchimpHttp,
  listId: string,
  inputs: readonly MemberInput[],
): Promise<BatchSubscribeOutcome[]> {
  if (inputs.length > BATCH_SUBSCRIBE_MAX) {
    throw new MailchimpError(`a batch subscribe takes at most ${BATCH_SUBSCRIBE_MAX} members`);
  }
  const members = inputs.map((m) => ({
    email_address: normalizeEmail(m.email),
    status: m.statusIfNew,
    merge_fields: m.mergeFields,
    ...(m.language ? { language: m.language } : {}),
  }));
  const answer = parseWith(
    resultSchema,
    await http.request('POST', `lists/${enc(listId)}`, { json: { members, update_existing: false } }),
    'batch subscribe answer',
  );
  const byEmail = new Map<string, BatchSubscribeOutcome>();
  for (const m of answer.new_members)
    byEmail.set(normalizeEmail(m.email_address), { kind: 'created', id: m.id, status: m.status });
  for (const e of answer.errors) {
    const email = e.email_address === undefined ? undefined : normalizeEmail(e.email_address);
    if (email !== undefined && !byEmail.has(email)) byEmail.set(email, outcomeOf(e));
  }
  return members.map((m) => byEmail.get(m.email_address) ?? { kind: 'unsettled' });
}
