import { MEMBER_STATUSES, type WritableStatus } from './audience.js';
import type { SimContext } from './context.js';
import { createChecked, memberExists, updateMember } from './member-writes.js';
import { ApiProblem, invalidResource } from './problems.js';
import type { Router } from './router.js';
import { FieldChecker, boolParam, objectBody, subscriberHash, type Json } from './validate.js';

const MAX_MEMBERS = 500;

/** POST /lists/{id}: synchronous batch subscribe/unsubscribe of up to 500 members, errors reported per address. */
export function registerBatchSubscribe(router: Router, ctx: SimContext): void {
  router.on('POST', '/lists/:list_id', (req) => {
    const aud = ctx.list(req.params.list_id);
    const b = objectBody(req.body);
    new FieldChecker(b)
      .required('members')
      .type('members', 'array')
      .type('update_existing', 'boolean')
      .throwIfAny();
    const items = b.members as unknown[];
    if (items.length > MAX_MEMBERS) {
      throw invalidResource([
        { field: 'members', message: `You may only send ${MAX_MEMBERS} members per request.` },
      ]);
    }
    const skipMerge = boolParam(req.query, 'skip_merge_validation');
    const skipDuplicates = boolParam(req.query, 'skip_duplicate_check');
    const updateExisting = b.update_existing === true;
    const seen = new Set<string>();
    const created: Json[] = [];
    const updated: Json[] = [];
    const errors: Json[] = [];
    for (const raw of items) {
      const item = (raw && typeof raw === 'object' ? raw : {}) as Json;
      const email = typeof item.email_address === 'string' ? item.email_address.trim() : '';
      const fail = (p: ApiProblem, code = 'ERROR_GENERIC') =>
        errors.push({
          email_address: email,
          error: p.detail,
          error_code: code,
          field: p.errors?.[0]?.field ?? '',
          field_message: p.errors?.[0]?.message ?? '',
        });
      const hash = subscriberHash(email);
      if (seen.has(hash)) {
        if (!skipDuplicates)
          fail(new ApiProblem(400, 'Invalid Resource', `${email} appears more than once in this request.`));
        continue;
      }
      seen.add(hash);
      const status = item.status as WritableStatus | undefined;
      if (status !== undefined && !MEMBER_STATUSES.includes(status)) {
        fail(new ApiProblem(400, 'Invalid Resource', `Invalid status for ${email}.`));
        continue;
      }
      try {
        const existing = aud.members.get(hash);
        if (existing) {
          if (!updateExisting) {
            fail(memberExists(email), 'ERROR_CONTACT_EXISTS');
            continue;
          }
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
          if (!status) throw new ApiProblem(400, 'Invalid Resource', `A status is required to add ${email}.`);
          created.push(aud.memberJson(createChecked(ctx, aud, skipMerge, item, status)));
        }
      } catch (err) {
        if (!(err instanceof ApiProblem)) throw err;
        fail(err);
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
    };
  });
}
