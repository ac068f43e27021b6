import got from 'got';
import { subscriberHash } from '../src/mailchimp/hash.js';
import {
  DEFAULT_MAPPING_SETTINGS,
  mapCustomer,
  type CustomerFields,
} from '../src/domain/customers/mapping.js';

export interface NaiveWriterResult {
  members: number;
  seconds: number;
  perSecond: number;
}

/**
 * What common store plugins do, for comparison: the first `sample` customers that map to a member
 * Mailchimp accepts, one PUT after another on a fresh audience, plain `got`, no connector code.
 */
export async function naiveSerialWriter(opts: {
  apiUrl: string;
  apiKey: string;
  listId: string;
  rows: Iterable<Record<string, unknown>>;
  sample: number;
}): Promise<NaiveWriterResult> {
  const members = [];
  for (const row of opts.sample > 0 ? opts.rows : []) {
    const mapped = mapCustomer(row as unknown as CustomerFields, DEFAULT_MAPPING_SETTINGS);
    if (mapped.kind === 'member' && !/\.example$/i.test(mapped.member.email)) members.push(mapped.member);
    if (members.length >= opts.sample) break;
  }
  const auth = `Basic ${Buffer.from(`naive:${opts.apiKey}`).toString('base64')}`;
  const started = Date.now();
  for (const member of members) {
    const email = member.email.trim().toLowerCase();
    await got.put(`${opts.apiUrl}/lists/${opts.listId}/members/${subscriberHash(email)}`, {
      headers: { authorization: auth },
      json: {
        email_address: email,
        status_if_new: member.statusIfNew,
        merge_fields: member.mergeFields,
        tags: member.tags,
      },
      retry: { limit: 3 },
    });
  }
  const seconds = (Date.now() - started) / 1000;
  return { members: members.length, seconds, perSecond: members.length ? members.length / seconds : 0 };
}
