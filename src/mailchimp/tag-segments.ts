import { MailchimpNotFoundError, MailchimpRecordError } from './errors.js';
import { normalizeEmail } from './hash.js';
import type { MailchimpHttp } from './http.js';
import {
  SEGMENT_MEMBERS_MAX,
  addToStaticSegment,
  createStaticSegment,
  listStaticSegments,
} from './segments.js';

/**
 * Tags applied in bulk. In Mailchimp a tag is a static segment of the same name (names compare
 * without case), so adding 500 members to the segment tags them all in one request instead of one
 * request each. The audience's static segments are read once, a missing one is created once; the
 * ids are kept for this object's life (the caller keeps one per job and list), and one is looked up
 * again when Mailchimp no longer knows it (a marketer deleted the tag meanwhile).
 */
export class TagSegments {
  private known?: Promise<Map<string, number>>;
  private readonly ids = new Map<string, Promise<number>>();

  constructor(
    private readonly http: MailchimpHttp,
    private readonly listId: string,
  ) {}

  /** Tags `emails` with `tag`; returns the addresses Mailchimp refused to tag. */
  async add(tag: string, emails: readonly string[]): Promise<Array<{ email: string; error: string }>> {
    const refused: Array<{ email: string; error: string }> = [];
    for (let i = 0; i < emails.length; i += SEGMENT_MEMBERS_MAX) {
      const chunk = emails.slice(i, i + SEGMENT_MEMBERS_MAX).map(normalizeEmail);
      const id = await this.idOf(tag);
      try {
        refused.push(...(await addToStaticSegment(this.http, this.listId, id, chunk)));
      } catch (err) {
        if (!(err instanceof MailchimpNotFoundError)) throw err;
        this.forget(tag);
        refused.push(...(await addToStaticSegment(this.http, this.listId, await this.idOf(tag), chunk)));
      }
    }
    return refused;
  }

  private idOf(tag: string): Promise<number> {
    const name = tag.toLowerCase();
    let id = this.ids.get(name);
    if (!id) {
      id = this.findOrCreate(tag);
      this.ids.set(name, id);
      id.catch(() => {
        if (this.ids.get(name) === id) this.ids.delete(name);
      });
    }
    return id;
  }

  private async findOrCreate(tag: string): Promise<number> {
    const found = (await this.segments()).get(tag.toLowerCase());
    if (found !== undefined) return found;
    try {
      return (await createStaticSegment(this.http, this.listId, tag)).id;
    } catch (err) {
      // Another worker created it since the segments were read: Mailchimp refuses a second one.
      if (!(err instanceof MailchimpRecordError)) throw err;
      this.known = undefined;
      const now = (await this.segments()).get(tag.toLowerCase());
      if (now === undefined) throw err;
      return now;
    }
  }

  private segments(): Promise<Map<string, number>> {
    if (!this.known) {
      const loading = listStaticSegments(this.http, this.listId).then(
        (all) => new Map(all.map((s) => [s.name.toLowerCase(), s.id])),
      );
      this.known = loading;
      loading.catch(() => {
        if (this.known === loading) this.known = undefined;
      });
    }
    return this.known;
  }

  private forget(tag: string): void {
    this.ids.delete(tag.toLowerCase());
    this.known = undefined;
  }
}
