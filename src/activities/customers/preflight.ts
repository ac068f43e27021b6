import { activityInfo, cancellationSignal, getClient } from '@temporalio/activity';
import type { MailchimpClient } from '../../mailchimp/client.js';
import type { AudienceSnapshot } from '../../mailchimp/audience-snapshot.js';
import { subscriberHash } from '../../mailchimp/hash.js';
import { isOwnedTag } from '../../mailchimp/members.js';
import type { MailchimpMember } from '../../mailchimp/types.js';
import { maskEmail } from '../../logging/redact.js';
import { forEachBounded } from '../../shared/concurrency.js';
import { mappingSettings } from '../../domain/customers/settings.js';
import { emptyPlan, planWrite, type PlanSample, type SyncPlan } from '../../domain/sync-plan.js';
import type { ActivityDeps } from '../deps.js';
import { resolveClients } from '../clients.js';
import { SyncConfigurationError, toActivityFailure } from '../errors.js';
import { checkCompany, throwIfCancelled } from '../guards.js';
import { withHeartbeat } from '../heartbeat.js';
import { loadWatermark } from '../sync-state.js';
import type { PlanJobInput, PlanOutcome } from '../../workflows/plan.js';
import { guardOf, guardVerdict } from '../preflight.js';
import { boundaryFingerprints, customerReadAhead, readCustomerPage } from './read.js';
import { createDuplicateResolver } from './duplicates.js';
import { planCustomerPage, type PendingWrite } from './plan.js';
import { keepArchived } from './archived.js';
import { followCustomers } from './follow-email.js';

/** Where a plan stopped: a retried attempt goes on from the page after `cursor`. */
interface PlanProgress {
  cursor?: string | number;
  plan: SyncPlan;
}

/**
 * The customer run's plan, without writing: the same pages the job reads, planned by the same steps
 * (duplicates, watermark boundary, address changes, archived members), then each write compared
 * with the member Mailchimp has (one GET of the changed member's fields, within the connection cap).
 */
export function createCustomerPlanActivities(deps: ActivityDeps) {
  const clients = resolveClients(deps);
  const readAhead = customerReadAhead();
  const temporalClient = () => deps.temporalClient ?? getClient();
  const boundary = boundaryFingerprints(temporalClient);
  const duplicates = createDuplicateResolver(deps.logger);

  return {
    async planCustomerSync(input: PlanJobInput): Promise<PlanOutcome> {
      try {
        checkCompany(deps.config, input.company);
        const guard = guardOf(deps.config, input);
        if (guard === 'off') return {};
        const listId = deps.config.mailchimp.listId;
        if (!listId)
          throw new SyncConfigurationError(
            'MAILCHIMP_LIST_ID is not set: the customer sync needs an audience',
          );
        const sage = await clients.sage300();
        const mailchimp = await clients.mailchimp();
        const settings = mappingSettings(deps.config);
        let fromDay: string | undefined = input.since;
        if (!fromDay && !input.full)
          fromDay = (await loadWatermark(temporalClient(), 'customers', input.company))?.day;
        const progress: PlanProgress = (activityInfo().heartbeatDetails as PlanProgress | undefined) ?? {
          plan: emptyPlan('customers', input.company),
        };
        const audience = await mailchimp.audienceSnapshot(listId, settings.customerNumberMergeTag);
        const { plan } = progress;
        plan.existing = audience.size;
        return await withHeartbeat(
          () => progress,
          async (beat) => {
            for (;;) {
              const pageInput = {
                jobId: input.jobId,
                company: input.company,
                ...(progress.cursor !== undefined ? { cursor: progress.cursor } : {}),
                ...(fromDay ? { fromDay, boundaryDay: fromDay } : {}),
                ...(input.pageSize ? { pageSize: input.pageSize } : {}),
              };
              const page = await readCustomerPage(sage, readAhead, pageInput);
              throwIfCancelled();
              const planned = planCustomerPage(page, {
                settings,
                duplicateOf: await duplicates.forPage(pageInput, sage, settings, page.records),
                boundaryDay: pageInput.boundaryDay,
                known: await boundary(pageInput),
              });
              followCustomers(planned.toWrite, audience);
              if (!deps.config.sync.restoreArchived) keepArchived(planned, audience);
              const { counts } = planned;
              plan.read += counts.read;
              plan.unchanged += counts.unchanged;
              plan.skipped += counts.skipped;
              plan.failed += counts.failed;
              const samples = await compareWrites(mailchimp, listId, audience, planned.toWrite);
              for (const s of samples) planWrite(plan, s);
              plan.statusChanges += planned.toWrite.filter(
                (w) => audience.statusOf(w.memberId ?? subscriberHash(w.member.email)) === 'archived',
              ).length;
              if (page.cursor !== undefined) progress.cursor = page.cursor;
              beat();
              if (page.done) break;
            }
            return { plan, ...guardVerdict(deps.config, guard, plan) };
          },
        );
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

/** Each write as the run would make it: created, or which of the member's fields it changes. */
async function compareWrites(
  mailchimp: MailchimpClient,
  listId: string,
  audience: AudienceSnapshot,
  toWrite: readonly PendingWrite[],
): Promise<PlanSample[]> {
  const samples: PlanSample[] = new Array(toWrite.length);
  await forEachBounded(
    toWrite.map((w, i) => [w, i] as const),
    mailchimp.maxConnections,
    async ([w, i]) => {
      const target = w.memberId ?? subscriberHash(w.member.email);
      const email = maskEmail(w.member.email);
      if (audience.statusOf(target) === undefined) {
        samples[i] = { key: w.key, email, action: 'create' };
        return;
      }
      const current = await mailchimp.memberById(listId, target, [
        'id',
        'email_address',
        'status',
        'merge_fields',
        'tags',
      ]);
      const fields = current ? changedFields(w, current) : [];
      if (w.memberId) fields.unshift('email');
      samples[i] = { key: w.key, email, action: w.memberId ? 'email change' : 'update', fields };
    },
    { signal: cancellationSignal() },
  );
  return samples;
}

const asText = (v: unknown): string =>
  v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** The merge fields whose value differs, and `tags` when a tag the connector owns would be added or removed. */
function changedFields(w: PendingWrite, current: MailchimpMember): string[] {
  const have = current.merge_fields ?? {};
  const fields = Object.entries(w.member.mergeFields)
    .filter(([tag, value]) => asText(value) !== asText(have[tag]))
    .map(([tag]) => tag);
  const tags = new Set((current.tags ?? []).map((t) => t.name.toLowerCase()));
  const wanted = new Set(w.member.tags.map((t) => t.trim().toLowerCase()).filter(Boolean));
  const stale = [...tags].some((t) => isOwnedTag(t, w.member.ownedTags) && !wanted.has(t));
  if (stale || [...wanted].some((t) => !tags.has(t))) fields.push('tags');
  return fields;
}
