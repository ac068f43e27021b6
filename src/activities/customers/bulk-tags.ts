import { normalizeEmail } from '../../mailchimp/hash.js';
import { outcomeErrorOf, wantedTags } from '../../mailchimp/members.js';
import { SEGMENT_MEMBERS_MAX } from '../../mailchimp/segments.js';
import type { TagSegments } from '../../mailchimp/tag-segments.js';
import type { OutcomeError } from '../../mailchimp/types.js';
import type { PendingWrite } from './plan.js';

/** Fewer members a segment call than this and the requests add up faster than the time they save. */
const MIN_PIECE = 100;

/**
 * The segment calls that tag `members`: per tag, its members split evenly into calls of at most 500,
 * and small enough that the calls keep `connections` busy together (Mailchimp spends time on each
 * member while the call holds a connection). 840 members of a page with 11 distinct tags on 10
 * connections: about 15 calls. Largest first: the small ones then fill the connections the others
 * free at the end, instead of a large one running alone.
 */
export function tagPieces(
  members: readonly PendingWrite[],
  connections: number,
): Array<{ tag: string; members: PendingWrite[] }> {
  const byTag = new Map<string, PendingWrite[]>();
  let items = 0;
  for (const w of members) {
    for (const tag of wantedTags(w.member.tags)) {
      const tagged = byTag.get(tag);
      if (tagged) tagged.push(w);
      else byTag.set(tag, [w]);
      items++;
    }
  }
  const most = Math.min(
    SEGMENT_MEMBERS_MAX,
    Math.max(MIN_PIECE, Math.ceil(items / Math.max(1, connections))),
  );
  return [...byTag]
    .flatMap(([tag, tagged]) => {
      const size = Math.ceil(tagged.length / Math.ceil(tagged.length / most));
      const pieces: Array<{ tag: string; members: PendingWrite[] }> = [];
      for (let i = 0; i < tagged.length; i += size) pieces.push({ tag, members: tagged.slice(i, i + size) });
      return pieces;
    })
    .sort((a, b) => b.members.length - a.members.length);
}

/**
 * Tags members just created with one segment call. Records in `untagged` the members not fully
 * tagged: `'put'` when Mailchimp skipped an address (the PUT path's tag step then adds what is
 * missing), or the error of a failed call, settled as that member's outcome as the PUT path settles
 * a failed tag request.
 */
export async function tagPiece(
  tags: TagSegments,
  piece: { tag: string; members: readonly PendingWrite[] },
  untagged: Map<PendingWrite, OutcomeError | 'put'>,
): Promise<void> {
  try {
    const refused = await tags.add(
      piece.tag,
      piece.members.map((w) => w.member.email),
    );
    const skipped = new Set(refused.map((r) => normalizeEmail(r.email)));
    for (const w of piece.members) {
      if (skipped.has(normalizeEmail(w.member.email)) && !untagged.has(w)) untagged.set(w, 'put');
    }
  } catch (err) {
    const error = outcomeErrorOf(err);
    for (const w of piece.members) untagged.set(w, error);
  }
}
