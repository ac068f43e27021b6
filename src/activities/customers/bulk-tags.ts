import { normalizeEmail } from '../../mailchimp/hash.js';
import { outcomeErrorOf, wantedTags } from '../../mailchimp/members.js';
import type { TagSegments } from '../../mailchimp/tag-segments.js';
import type { OutcomeError } from '../../mailchimp/types.js';
import { forEachBounded } from '../../shared/concurrency.js';
import type { PendingWrite } from './plan.js';

/**
 * Tags members just created, one segment call per tag (per 500 members). Returns the members not
 * fully tagged: `'put'` when Mailchimp skipped an address (the PUT path's tag step then adds what
 * is missing), or the error of a failed call, settled as that member's outcome as the PUT path
 * settles a failed tag request.
 */
export async function tagInBulk(
  tags: TagSegments,
  members: readonly PendingWrite[],
  connections: number,
): Promise<Map<PendingWrite, OutcomeError | 'put'>> {
  const byTag = new Map<string, PendingWrite[]>();
  for (const w of members) {
    for (const tag of wantedTags(w.member.tags)) {
      const tagged = byTag.get(tag);
      if (tagged) tagged.push(w);
      else byTag.set(tag, [w]);
    }
  }
  const untagged = new Map<PendingWrite, OutcomeError | 'put'>();
  await forEachBounded(byTag, connections, async ([tag, tagged]) => {
    try {
      const refused = await tags.add(
        tag,
        tagged.map((w) => w.member.email),
      );
      const skipped = new Set(refused.map((r) => normalizeEmail(r.email)));
      for (const w of tagged) {
        if (skipped.has(normalizeEmail(w.member.email)) && !untagged.has(w)) untagged.set(w, 'put');
      }
    } catch (err) {
      const error = outcomeErrorOf(err);
      for (const w of tagged) untagged.set(w, error);
    }
  });
  return untagged;
}
