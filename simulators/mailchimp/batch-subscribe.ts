import { MEMBER_STATUSES, type WritableStatus } from './audience.js';
import type { SimContext } from './context.js';
import { emailProblem } from './email.js';
import { createChecked, updateMember } from './member-writes.js';
import { ApiProblem, invalidResource } from './problems.js';
import type { Router } from './router.js';
import { FieldChecker, boolParam, objectBody, subscriberHash, type Json } from './validate.js';

export const MAX_BATCH_MEMBERS = 500;

/** The two `error_code` values the spec allows for a batch-subscribe error. */
export const ERROR_CONTACT_EXISTS = 'ERROR_CONTACT_EXISTS';
export const ERROR_GENERIC = 'ERROR_GENERIC';

const contactExists = (email: string) =>
  new ApiProblem(
    400,
    'Member Exists',
    `${email} is already a list member, do you want to update? please provide update_existing:true in the request body`,
  );

interface BatchError {
  email_address: string;
  error: string;
  error_code: string;
  field: string;
  field_message: string;
}

function batchError(email: string, p: ApiProblem, code: string, field = ''): BatchError {
  return {
    email_address: email,
    error: p.detail,
    error_code: code,
    field: p.errors?.[0]?.field ?? field,
    field_message: p.errors?.[0]?.message ?? (field ? p.detail : ''),
  };
}

function checkItem(item: Json): ApiProblem | undefined {
  const c = new FieldChecker(item)
    .oneOf('status', MEMBER_STATUSES)
    .type('merge_fields', 'object')
    .type('language', 'string')
    .type('vip', 'boolean')
    .type('email_type', 'string');
  return c.errors.length ? invalidResource(c.errors) : undefined;
}

/**
 * POST /lists/{id}: synchronous batch subscribe/unsubscribe of up to 500 members, each answered on its
 * own (created, updated, or an error with its `error_code`). With `update_existing` false (the default)
 * an existing member, archived ones included, is reported as ERROR_CONTACT_EXISTS and left exactly as
 * it was. Members take no tags here (the 3.0.55 member item has none): bulk tags are static segments.
 */
export function registerBatchSubscribe(router: Router, ctx: SimContext): void {
  router.on('POST', '/lists/:list_id', (req) => {
    const aud = ctx.list(req.params.list_id);
    const b = objectBody(req.body);
    new FieldChecker(b)
      .required('members')
      .type('members', 'array')
      .type('update_existing', 'boolean')
      .type('sync_tags', 'boolean')
      .throwIfAny();
    const items = b.members as unknown[];
    if (items.length > MAX_BATCH_MEMBERS) {
      throw invalidResource([
        { field: 'members', message: `You may only send ${MAX_BATCH_MEMBERS} members per request.` },
      ]);
    }
    const skipMerge = boolParam(req.query, 'skip_merge_validation');
    const skipDuplicates = boolParam(req.query, 'skip_duplicate_check');
    const updateExisting = b.update_existing === true;
    const seen = new Set<string>();
    const created: Json[] = [];
    const updated: Json[] = [];
    const errors: BatchError[] = [];
    for (const raw of items) {
      const item = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Json;
      const email = typeof item.email_address === 'string' ? item.email_address.trim() : '';
      const badEmail = emailProblem(item.email_address);
      if (badEmail) {
        errors.push(batchError(email, badEmail, ERROR_GENERIC, 'email_address'));
        continue;
      }
      const hash = subscriberHash(email);
      if (seen.has(hash)) {
        // skip_duplicate_check: the first appearance is the one saved, the others pass silently.
        if (!skipDuplicates) {
          const p = new ApiProblem(
            400,
            'Invalid Resource',
            `${email} appears more than once in this request.`,
          );
          errors.push(batchError(email, p, ERROR_GENERIC, 'email_address'));
        }
        continue;
      }
      seen.add(hash);
      const invalid = checkItem(item);
      if (invalid) {
        errors.push(batchError(email, invalid, ERROR_GENERIC));
        continue;
      }
      const status = item.status as WritableStatus | undefined;
      const existing = aud.members.get(hash);
      if (existing && !updateExisting) {
        errors.push(batchError(email, contactExists(email), ERROR_CONTACT_EXISTS));
        continue;
      }
      try {
        if (existing) {
          updateMember(ctx, aud, existing, {
            status,
            mergeFields: item.merge_fields,
            language: item.language,
            vip: item.vip,
            emailType: item.email_type,
            skipMergeValidation: skipMerge,
          });
          updated.push(aud.memberJson(existing));
        } else {
          if (!status) {
            throw invalidResource([
              { field: 'status', message: 'Required fields were not provided: status' },
            ]);
          }
          const { tags: _ignored, ...member } = item;
          created.push(aud.memberJson(createChecked(ctx, aud, skipMerge, member, status)));
        }
      } catch (err) {
        if (!(err instanceof ApiProblem)) throw err;
        errors.push(batchError(email, err, ERROR_GENERIC));
      }
    }
    return {
      status: 200,
      body: {
        new_members: created,
        updated_members: updated,
        errors,
        total_created: created.length,
        total_updated: updated.length,
        error_count: errors.length,
        _links: [],
      },
      bulkMembers: items.length,
    };
  });
}
