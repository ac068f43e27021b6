import { Audience, MAX_MERGE_FIELDS, MERGE_FIELD_TYPES, type MergeFieldType } from './audience.js';
import type { SimContext } from './context.js';
import { ApiProblem, notFound } from './problems.js';
import type { Router } from './router.js';
import { FieldChecker, objectBody, paging, type Json } from './validate.js';

const TAG_PATTERN = /^[A-Z0-9_]+$/;

export function registerListRoutes(router: Router, ctx: SimContext): void {
  router.on('GET', '/lists', (req) => {
    const { count, offset } = paging(req.query);
    const all = [...ctx.lists.values()];
    return {
      status: 200,
      body: {
        lists: all.slice(offset, offset + count).map((a) => a.toJson()),
        total_items: all.length,
        constraints: { may_create: true, max_instances: 100, current_total_instances: all.length },
        _links: [],
      },
    };
  });

  router.on('POST', '/lists', (req) => {
    const b = objectBody(req.body);
    new FieldChecker(b)
      .required(
        'name',
        'permission_reminder',
        'email_type_option',
        'contact.company',
        'contact.address1',
        'contact.city',
        'contact.country',
        'campaign_defaults.from_name',
        'campaign_defaults.from_email',
        'campaign_defaults.subject',
        'campaign_defaults.language',
      )
      .type('name', 'string')
      .type('email_type_option', 'boolean')
      .type('contact', 'object')
      .type('campaign_defaults', 'object')
      .throwIfAny();
    const aud = new Audience(b);
    ctx.lists.set(aud.id, aud);
    return { status: 200, body: aud.toJson() };
  });

  router.on('GET', '/lists/:list_id', (req) => ({
    status: 200,
    body: ctx.list(req.params.list_id).toJson(),
  }));

  router.on('PATCH', '/lists/:list_id', (req) => {
    const aud = ctx.list(req.params.list_id);
    const b = objectBody(req.body);
    aud.settings = { ...aud.settings, ...b };
    return { status: 200, body: aud.toJson() };
  });

  router.on('DELETE', '/lists/:list_id', (req) => {
    const aud = ctx.list(req.params.list_id);
    ctx.lists.delete(aud.id);
    return { status: 204 };
  });

  router.on('GET', '/lists/:list_id/merge-fields', (req) => {
    const aud = ctx.list(req.params.list_id);
    const { count, offset } = paging(req.query);
    return {
      status: 200,
      body: {
        merge_fields: aud.mergeFields.slice(offset, offset + count).map((f) => aud.mergeFieldJson(f)),
        list_id: aud.id,
        total_items: aud.mergeFields.length,
        _links: [],
      },
    };
  });

  router.on('POST', '/lists/:list_id/merge-fields', (req) => {
    const aud = ctx.list(req.params.list_id);
    const b = objectBody(req.body);
    const c = new FieldChecker(b)
      .required('name', 'type')
      .type('name', 'string')
      .oneOf('type', MERGE_FIELD_TYPES)
      .type('tag', 'string')
      .type('required', 'boolean')
      .type('public', 'boolean')
      .type('options', 'object');
    const tag = typeof b.tag === 'string' ? b.tag.trim().toUpperCase() : undefined;
    if (tag !== undefined && (tag.length === 0 || tag.length > 10 || !TAG_PATTERN.test(tag))) {
      c.errors.push({
        field: 'tag',
        message: 'Merge tags must be 1-10 characters: letters, digits or underscores.',
      });
    }
    c.throwIfAny();
    if (aud.mergeFields.length >= MAX_MERGE_FIELDS) {
      throw new ApiProblem(
        400,
        'Invalid Resource',
        `This audience already has the maximum of ${MAX_MERGE_FIELDS} merge fields.`,
      );
    }
    if (tag && aud.mergeField(tag)) {
      throw new ApiProblem(
        400,
        'Invalid Resource',
        `A Merge Field with the tag "${tag}" already exists for this list.`,
      );
    }
    const rec = aud.addMergeField({
      tag: tag ?? '',
      name: String(b.name),
      type: b.type as MergeFieldType,
      required: b.required as boolean | undefined,
      public: b.public as boolean | undefined,
      default_value: typeof b.default_value === 'string' ? b.default_value : undefined,
      help_text: typeof b.help_text === 'string' ? b.help_text : undefined,
      display_order: typeof b.display_order === 'number' ? b.display_order : undefined,
      options: b.options as Json | undefined,
    });
    if (!tag) rec.tag = `MMERGE${rec.merge_id}`;
    return { status: 200, body: aud.mergeFieldJson(rec) };
  });

  const field = (aud: Audience, id: string | undefined) => {
    const f = aud.mergeFields.find((x) => String(x.merge_id) === id);
    if (!f) throw notFound();
    return f;
  };

  router.on('GET', '/lists/:list_id/merge-fields/:merge_id', (req) => {
    const aud = ctx.list(req.params.list_id);
    return { status: 200, body: aud.mergeFieldJson(field(aud, req.params.merge_id)) };
  });

  router.on('PATCH', '/lists/:list_id/merge-fields/:merge_id', (req) => {
    const aud = ctx.list(req.params.list_id);
    const f = field(aud, req.params.merge_id);
    const b = objectBody(req.body);
    new FieldChecker(b)
      .type('name', 'string')
      .type('required', 'boolean')
      .type('public', 'boolean')
      .throwIfAny();
    if (typeof b.name === 'string') f.name = b.name;
    if (typeof b.required === 'boolean') f.required = b.required;
    if (typeof b.public === 'boolean') f.public = b.public;
    if (typeof b.default_value === 'string') f.default_value = b.default_value;
    if (typeof b.help_text === 'string') f.help_text = b.help_text;
    return { status: 200, body: aud.mergeFieldJson(f) };
  });

  router.on('DELETE', '/lists/:list_id/merge-fields/:merge_id', (req) => {
    const aud = ctx.list(req.params.list_id);
    const f = field(aud, req.params.merge_id);
    aud.mergeFields.splice(aud.mergeFields.indexOf(f), 1);
    return { status: 204 };
  });
}
