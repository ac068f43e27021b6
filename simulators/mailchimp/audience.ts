import { hexId, mcTime, type Json } from './validate.js';

export const MEMBER_STATUSES = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional'] as const;
export type WritableStatus = (typeof MEMBER_STATUSES)[number];
export type MemberStatus = WritableStatus | 'archived';

export const MERGE_FIELD_TYPES = [
  'text',
  'number',
  'address',
  'phone',
  'date',
  'url',
  'imageurl',
  'radio',
  'dropdown',
  'birthday',
  'zip',
] as const;
export type MergeFieldType = (typeof MERGE_FIELD_TYPES)[number];

export interface MemberRecord {
  id: string;
  email: string;
  status: MemberStatus;
  /** What an archived member was before archiving; restored (with its consent) when re-added. */
  statusBeforeArchive?: WritableStatus;
  emailType: string;
  mergeFields: Json;
  /** Tag name -> time added. */
  tags: Map<string, number>;
  language: string;
  vip: boolean;
  webId: number;
  createdAt: number;
  lastChanged: number;
  optAt?: number;
  source: string;
}

/**
 * A tag, which Mailchimp also serves as a static segment (same id, same name): the member's `tags` map
 * is its membership, so the tags endpoints and the segments endpoints read and write one thing.
 */
export interface TagRecord {
  id: number;
  name: string;
  createdAt: number;
  updatedAt: number;
}

export interface MergeFieldRecord {
  merge_id: number;
  tag: string;
  name: string;
  type: MergeFieldType;
  required: boolean;
  public: boolean;
  default_value: string;
  display_order: number;
  help_text: string;
  options: Json;
}

export interface WebhookRecord {
  id: string;
  url: string;
  events: Record<WebhookEventType, boolean>;
  sources: { user: boolean; admin: boolean; api: boolean };
}

export const WEBHOOK_EVENT_TYPES = [
  'subscribe',
  'unsubscribe',
  'profile',
  'cleaned',
  'upemail',
  'campaign',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const MAX_MERGE_FIELDS = 30;

let webIdCounter = 100_000;
export const nextWebId = (): number => ++webIdCounter;

/** One audience: its members (hash-indexed plus insertion order for O(1) paging), fields, tags, hooks. */
export class Audience {
  readonly id = hexId(5);
  readonly webId = nextWebId();
  readonly createdAt = Date.now();
  readonly members = new Map<string, MemberRecord>();
  readonly order: MemberRecord[] = [];
  readonly forgotten = new Set<string>();
  readonly mergeFields: MergeFieldRecord[] = [];
  /** Tags (static segments) by name and by id. */
  readonly tags = new Map<string, TagRecord>();
  readonly tagsById = new Map<number, TagRecord>();
  readonly webhooks = new Map<string, WebhookRecord>();
  readonly statusCounts = new Map<MemberStatus, number>();
  private nextMergeId = 1;
  // Ids are never reused: a deleted tag's id must not come back as another tag's.
  private nextTagId = 1;
  lastSubAt?: number;
  lastUnsubAt?: number;

  constructor(public settings: Json) {
    for (const [tag, name, type] of [
      ['FNAME', 'First Name', 'text'],
      ['LNAME', 'Last Name', 'text'],
      ['ADDRESS', 'Address', 'address'],
      ['PHONE', 'Phone Number', 'phone'],
    ] as const) {
      this.addMergeField({ tag, name, type, required: false, public: false });
    }
  }

  addMergeField(f: {
    tag: string;
    name: string;
    type: MergeFieldType;
    required?: boolean;
    public?: boolean;
    default_value?: string;
    help_text?: string;
    display_order?: number;
    options?: Json;
  }): MergeFieldRecord {
    const merge_id = this.nextMergeId++;
    const rec: MergeFieldRecord = {
      merge_id,
      tag: f.tag,
      name: f.name,
      type: f.type,
      required: f.required ?? false,
      public: f.public ?? false,
      default_value: f.default_value ?? '',
      display_order: f.display_order ?? merge_id + 1,
      help_text: f.help_text ?? '',
      options: f.options ?? (f.type === 'address' ? { default_country: 164 } : {}),
    };
    this.mergeFields.push(rec);
    return rec;
  }

  mergeField(tag: string): MergeFieldRecord | undefined {
    return this.mergeFields.find((f) => f.tag === tag);
  }

  tagId(name: string): number {
    return this.tag(name).id;
  }

  /** The tag of that name, created on first use (as Mailchimp creates unknown active tags on the fly). */
  tag(name: string, now = Date.now()): TagRecord {
    let t = this.tags.get(name);
    if (!t) {
      t = { id: this.nextTagId++, name, createdAt: now, updatedAt: now };
      this.tags.set(name, t);
      this.tagsById.set(t.id, t);
    }
    return t;
  }

  /** Puts the member in the tag (static segment); false when it already was. */
  addTag(m: MemberRecord, name: string, now = Date.now()): boolean {
    const t = this.tag(name, now);
    if (m.tags.has(name)) return false;
    m.tags.set(name, now);
    t.updatedAt = now;
    m.lastChanged = now;
    return true;
  }

  /** Takes the member out of the tag (static segment); false when it was not in it. */
  removeTag(m: MemberRecord, name: string, now = Date.now()): boolean {
    if (!m.tags.delete(name)) return false;
    const t = this.tags.get(name);
    if (t) t.updatedAt = now;
    m.lastChanged = now;
    return true;
  }

  renameTag(t: TagRecord, name: string, now = Date.now()): void {
    if (name === t.name) return;
    for (const m of this.order) {
      const at = m.tags.get(t.name);
      if (at === undefined) continue;
      m.tags.delete(t.name);
      m.tags.set(name, at);
    }
    this.tags.delete(t.name);
    t.name = name;
    t.updatedAt = now;
    this.tags.set(name, t);
  }

  deleteTag(t: TagRecord): void {
    for (const m of this.order) m.tags.delete(t.name);
    this.tags.delete(t.name);
    this.tagsById.delete(t.id);
  }

  addMember(m: MemberRecord): void {
    this.members.set(m.id, m);
    this.order.push(m);
    this.count(m.status, 1);
  }

  setStatus(m: MemberRecord, status: MemberStatus, now: number): void {
    if (m.status === status) return;
    this.count(m.status, -1);
    this.count(status, 1);
    if (status === 'subscribed') {
      m.optAt = now;
      this.lastSubAt = now;
    }
    if (status === 'unsubscribed') this.lastUnsubAt = now;
    m.status = status;
  }

  /** A changed address moves the member to the new hash; the record (and its paging slot) stays. */
  rekey(m: MemberRecord, email: string, hash: string): void {
    this.members.delete(m.id);
    m.id = hash;
    m.email = email;
    this.members.set(hash, m);
  }

  removeForever(m: MemberRecord): void {
    this.members.delete(m.id);
    const i = this.order.indexOf(m);
    if (i >= 0) this.order.splice(i, 1);
    this.count(m.status, -1);
    this.forgotten.add(m.id);
  }

  statusCount(s: MemberStatus): number {
    return this.statusCounts.get(s) ?? 0;
  }

  private count(s: MemberStatus, d: number): void {
    this.statusCounts.set(s, (this.statusCounts.get(s) ?? 0) + d);
  }

  toJson(): Json {
    const s = this.settings;
    const stats: Json = {
      member_count: this.statusCount('subscribed'),
      total_contacts: this.members.size,
      unsubscribe_count: this.statusCount('unsubscribed'),
      cleaned_count: this.statusCount('cleaned'),
      member_count_since_send: this.statusCount('subscribed'),
      unsubscribe_count_since_send: this.statusCount('unsubscribed'),
      cleaned_count_since_send: this.statusCount('cleaned'),
      campaign_count: 0,
      merge_field_count: this.mergeFields.length,
      avg_sub_rate: 0,
      avg_unsub_rate: 0,
      target_sub_rate: 0,
      open_rate: 0,
      click_rate: 0,
    };
    if (this.lastSubAt) stats.last_sub_date = mcTime(this.lastSubAt);
    if (this.lastUnsubAt) stats.last_unsub_date = mcTime(this.lastUnsubAt);
    return {
      id: this.id,
      web_id: this.webId,
      name: s.name ?? 'Audience',
      contact: s.contact ?? {},
      permission_reminder: s.permission_reminder ?? '',
      use_archive_bar: s.use_archive_bar ?? false,
      campaign_defaults: s.campaign_defaults ?? {},
      notify_on_subscribe: s.notify_on_subscribe ?? '',
      notify_on_unsubscribe: s.notify_on_unsubscribe ?? '',
      date_created: mcTime(this.createdAt),
      list_rating: 0,
      email_type_option: s.email_type_option ?? false,
      subscribe_url_short: `http://eepurl.com/${this.id.slice(0, 6)}`,
      subscribe_url_long: `https://sandbox.us6.list-manage.com/subscribe?u=sim&id=${this.id}`,
      beamer_address: `us6-${this.id}@inbound.mailchimp.com`,
      visibility: 'pub',
      double_optin: s.double_optin ?? false,
      has_welcome: false,
      marketing_permissions: s.marketing_permissions ?? false,
      modules: [],
      stats,
      _links: [],
    };
  }

  memberJson(m: MemberRecord): Json {
    const merge: Json = {};
    for (const f of this.mergeFields) merge[f.tag] = m.mergeFields[f.tag] ?? (f.type === 'number' ? '' : '');
    const fname = typeof m.mergeFields.FNAME === 'string' ? m.mergeFields.FNAME : '';
    const lname = typeof m.mergeFields.LNAME === 'string' ? m.mergeFields.LNAME : '';
    const json: Json = {
      id: m.id,
      email_address: m.email,
      unique_email_id: m.id.slice(0, 10),
      contact_id: m.id,
      full_name: `${fname} ${lname}`.trim(),
      web_id: m.webId,
      email_type: m.emailType,
      status: m.status,
      consents_to_one_to_one_messaging: true,
      merge_fields: merge,
      interests: {},
      stats: { avg_open_rate: 0, avg_click_rate: 0 },
      ip_signup: '',
      timestamp_signup: mcTime(m.createdAt),
      ip_opt: '',
      member_rating: 2,
      last_changed: mcTime(m.lastChanged),
      language: m.language,
      vip: m.vip,
      email_client: '',
      location: {
        latitude: 0,
        longitude: 0,
        gmtoff: 0,
        dstoff: 0,
        country_code: '',
        timezone: '',
        region: '',
      },
      source: m.source,
      tags_count: m.tags.size,
      tags: [...m.tags.keys()].map((name) => ({ id: this.tagId(name), name })),
      list_id: this.id,
      _links: [],
    };
    if (m.optAt !== undefined) json.timestamp_opt = mcTime(m.optAt);
    return json;
  }

  mergeFieldJson(f: MergeFieldRecord): Json {
    return { ...f, list_id: this.id, _links: [] };
  }

  webhookJson(w: WebhookRecord): Json {
    return { id: w.id, url: w.url, events: w.events, sources: w.sources, list_id: this.id, _links: [] };
  }
}
