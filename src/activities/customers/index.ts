import { getClient } from '@temporalio/activity';
import type { PageResult, PreparedJob } from '../../workflows/types.js';
import type { SyncPageInput } from '../../workflows/sync-job.js';
import { customerMergeFields, mappingSettings } from '../../domain/customers/settings.js';
import type { ActivityDeps } from '../deps.js';
import { resolveClients } from '../clients.js';
import { SyncConfigurationError, toActivityFailure } from '../errors.js';
import { checkCompany, throwIfCancelled } from '../guards.js';
import { withHeartbeat } from '../heartbeat.js';
import { audienceSnapshotPerJob } from '../audience-snapshot.js';
import { loadWatermark } from '../sync-state.js';
import { JobMemo } from '../job-cache.js';
import type { TagSegments } from '../../mailchimp/tag-segments.js';
import { boundaryFingerprints, customerReadAhead, readCustomerPage } from './read.js';
import { createDuplicateResolver } from './duplicates.js';
import { planCustomerPage } from './plan.js';
import { keepArchived } from './archived.js';
import { followCustomers } from './follow-email.js';
import { pendingWrites, resumeCheckpoint, type PageCheckpoint } from './checkpoint.js';
import { writeMembers, type BulkContext } from './write.js';
import { partialCustomerPage, summarizeCustomerPage } from './summarize.js';

/** Customer activities: audience setup, duplicate-email resolution, and one page of sync. */
export function createCustomerSyncActivities(deps: ActivityDeps) {
  const clients = resolveClients(deps);
  const readAhead = customerReadAhead();
  const temporalClient = () => deps.temporalClient ?? getClient();
  const boundary = boundaryFingerprints(temporalClient);
  const duplicates = createDuplicateResolver(deps.logger);
  const audienceOf = audienceSnapshotPerJob();
  // One per job and list on this worker: a tag's segment is looked up (or created) once per job.
  const tagSegments = new JobMemo<TagSegments>(4);
  const listId = (): string => {
    const id = deps.config.mailchimp.listId;
    if (!id)
      throw new SyncConfigurationError('MAILCHIMP_LIST_ID is not set: the customer sync needs an audience');
    return id;
  };

  return {
    /** Creates the merge fields the mapping fills (COMPANY and the customer-number field are not defaults). */
    async prepareCustomerAudience(_args: { jobId: string }): Promise<void> {
      try {
        const mailchimp = await clients.mailchimp();
        const settings = mappingSettings(deps.config);
        await mailchimp.ensureMergeFields(
          listId(),
          customerMergeFields(settings).map((f) => ({ ...f })),
        );
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /**
     * A first load reads every customer's key and addresses ($select) once and keeps the groups on
     * this worker for the job's pages; a stream with a watermark leaves shared emails to its pages,
     * which ask Sage about their own records' addresses. The result names no customer: nothing
     * that grows with the company goes into workflow history (`duplicateOf` stays empty; a job
     * started by 0.1.0 workers got the whole map here).
     */
    async findDuplicateEmails(args: { jobId: string; company: string }): Promise<PreparedJob> {
      try {
        checkCompany(deps.config, args.company);
        const watermark = await loadWatermark(temporalClient(), 'customers', args.company);
        if (watermark?.day) {
          deps.logger.info({ jobId: args.jobId }, 'duplicate emails: resolved page by page');
          return { duplicateOf: {}, duplicateGroups: 0 };
        }
        const sage = await clients.sage300();
        const progress = { read: 0 };
        const company = await withHeartbeat(
          () => progress,
          () => duplicates.company(args.jobId, sage, mappingSettings(deps.config), progress),
        );
        deps.logger.info(
          { jobId: args.jobId, read: company.read, duplicateGroups: company.groups },
          'duplicate emails resolved',
        );
        return { duplicateOf: {}, duplicateGroups: company.groups };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /** One page: read it from Sage, plan it, write it to Mailchimp, return counts and keys only. */
    async syncCustomerPage(input: SyncPageInput): Promise<PageResult> {
      let checkpoint: PageCheckpoint | undefined;
      try {
        checkCompany(deps.config, input.company);
        const sage = await clients.sage300();
        const mailchimp = await clients.mailchimp();
        const list = listId();
        const settings = mappingSettings(deps.config);
        const cp = (checkpoint = resumeCheckpoint());
        return await withHeartbeat(
          () => cp,
          async (beat) => {
            const page = await readCustomerPage(sage, readAhead, input);
            throwIfCancelled();
            const plan = planCustomerPage(page, {
              settings,
              duplicateOf: await duplicates.forPage(input, sage, settings, page.records),
              boundaryDay: input.boundaryDay,
              known: await boundary(input),
            });
            // Read while this page writes, not while it looks up shared emails: the read would age.
            page.readNext?.();
            let bulk: BulkContext | undefined;
            if (plan.toWrite.length > 0) {
              const audience = await audienceOf(
                input.jobId,
                mailchimp,
                list,
                settings.customerNumberMergeTag,
              );
              const moved = followCustomers(plan.toWrite, audience);
              if (moved > 0) deps.logger.info({ jobId: input.jobId, moved }, 'customers whose email changed');
              if (!deps.config.sync.restoreArchived) keepArchived(plan, audience);
              if (deps.bulkCreate !== false) {
                const tags = await tagSegments.get(`${input.jobId}|${list}`, async () =>
                  mailchimp.tagSegments(list),
                );
                bulk = { audience, tags };
              }
            }
            await writeMembers(mailchimp, list, pendingWrites(cp, plan.toWrite), cp, beat, bulk);
            return summarizeCustomerPage(input, page, plan, cp);
          },
        );
      } catch (err) {
        // What the attempts wrote before the failure counts in the job (the failure's details).
        throw toActivityFailure(err, checkpoint ? { partial: partialCustomerPage(checkpoint) } : {});
      }
    },
  };
}
