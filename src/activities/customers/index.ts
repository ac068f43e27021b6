import { getClient } from '@temporalio/activity';
import type { PageResult, PreparedJob } from '../../workflows/types.js';
import type { SyncPageInput } from '../../workflows/sync-job.js';
import { findDuplicates } from '../../domain/customers/duplicates.js';
import { customerMergeFields, mappingSettings } from '../../domain/customers/settings.js';
import type { ActivityDeps } from '../deps.js';
import { resolveClients } from '../clients.js';
import { SyncConfigurationError, toActivityFailure } from '../errors.js';
import { checkCompany, throwIfCancelled } from '../guards.js';
import { withHeartbeat } from '../heartbeat.js';
import { boundaryFingerprints, customerReadAhead, readCustomerPage, readEmailIdentities } from './read.js';
import { planCustomerPage } from './plan.js';
import { pendingWrites, resumeCheckpoint, writeMembers } from './write.js';
import { summarizeCustomerPage } from './summarize.js';

/** Customer activities: audience setup, duplicate-email resolution, and one page of sync. */
export function createCustomerSyncActivities(deps: ActivityDeps) {
  const clients = resolveClients(deps);
  const readAhead = customerReadAhead();
  const boundary = boundaryFingerprints(() => deps.temporalClient ?? getClient());
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
     * Reads every customer's key and addresses only ($select) and returns the duplicate-email
     * groups as keys: the emails never leave the activity. Resolved for the whole company, so an
     * incremental job applies the same rule as a full one.
     */
    async findDuplicateEmails(args: { jobId: string; company: string }): Promise<PreparedJob> {
      try {
        checkCompany(deps.config, args.company);
        const sage = await clients.sage300();
        const progress = { read: 0 };
        const entries = await withHeartbeat(
          () => progress,
          () => readEmailIdentities(sage, mappingSettings(deps.config), progress),
        );
        const { groups, duplicateOf } = findDuplicates(entries);
        deps.logger.info(
          { jobId: args.jobId, read: progress.read, duplicateGroups: groups.length },
          'duplicate emails resolved',
        );
        return { duplicateOf, duplicateGroups: groups.length };
      } catch (err) {
        throw toActivityFailure(err);
      }
    },

    /** One page: read it from Sage, plan it, write it to Mailchimp, return counts and keys only. */
    async syncCustomerPage(input: SyncPageInput): Promise<PageResult> {
      try {
        checkCompany(deps.config, input.company);
        const sage = await clients.sage300();
        const mailchimp = await clients.mailchimp();
        const list = listId();
        const settings = mappingSettings(deps.config);
        const checkpoint = resumeCheckpoint();
        return await withHeartbeat(
          () => checkpoint,
          async (beat) => {
            const page = await readCustomerPage(sage, readAhead, input);
            throwIfCancelled();
            const plan = planCustomerPage(page, {
              settings,
              duplicateOf: input.duplicateOf,
              boundaryDay: input.boundaryDay,
              known: await boundary(input),
            });
            await writeMembers(mailchimp, list, pendingWrites(checkpoint, plan.toWrite), checkpoint, beat);
            return summarizeCustomerPage(input, page, plan, checkpoint);
          },
        );
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}
