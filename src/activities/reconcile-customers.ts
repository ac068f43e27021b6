import { cancellationSignal } from '@temporalio/activity';
import { MailchimpError } from '../mailchimp/errors.js';
import { forEachBounded } from '../shared/concurrency.js';
import { mappingSettings } from '../domain/customers/settings.js';
import { MAX_LISTED_MEMBERS, type CustomerReconciliation } from '../workflows/reconcile-customers-job.js';
import type { ActivityDeps } from './deps.js';
import { resolveClients } from './clients.js';
import { SyncConfigurationError, toActivityFailure } from './errors.js';
import { checkCompany, throwIfCancelled } from './guards.js';
import { withHeartbeat } from './heartbeat.js';

/** Set on the member of a customer deleted in Sage (SYNC_CUSTOMER_DELETED=tag). */
export const DELETED_TAG = 'sage-deleted';
/** Members tagged or archived at once (the client's limiter still bounds the requests). */
const IN_FLIGHT = 5;

/** The customer reconciliation: members whose customer number Sage no longer has. */
export function createCustomerReconcileActivities(deps: ActivityDeps) {
  const clients = resolveClients(deps);

  return {
    /**
     * Reads the audience snapshot and Sage's customer keys (keyset pages, `$select` the key only;
     * rows failing the schema still count as present), then tags or archives the members whose
     * customer number is gone. Refuses when Sage answered with no customer at all: that is a wrong
     * company or an empty database, not every customer deleted.
     */
    async reconcileDeletedCustomers(args: {
      jobId: string;
      company: string;
    }): Promise<CustomerReconciliation> {
      try {
        checkCompany(deps.config, args.company);
        const listId = deps.config.mailchimp.listId;
        if (!listId)
          throw new SyncConfigurationError(
            'MAILCHIMP_LIST_ID is not set: the reconciliation needs an audience',
          );
        const policy = deps.config.sync.customerDeleted;
        const sage = await clients.sage300();
        const mailchimp = await clients.mailchimp();
        const tag = mappingSettings(deps.config).customerNumberMergeTag;
        const progress = { sageCustomers: 0, handled: 0 };
        return await withHeartbeat(
          () => progress,
          async (beat) => {
            const audience = await mailchimp.audienceSnapshot(listId, tag);
            async function* sageKeys(): AsyncIterable<string[]> {
              let after: string | number | undefined;
              for (;;) {
                throwIfCancelled();
                const page = await sage.keysetPage('customers', {
                  select: ['CustomerNumber'],
                  ...(after !== undefined ? { after } : {}),
                });
                const keys = [
                  ...page.records.map((r) => String(r.CustomerNumber).trim()),
                  ...page.invalid.map((r) => String(r.key).trim()),
                ];
                progress.sageCustomers += keys.length;
                beat();
                yield keys;
                if (page.done || page.lastKey === undefined) return;
                after = page.lastKey;
              }
            }
            const gone = await audience.unclaimed(sageKeys());
            if (progress.sageCustomers === 0)
              throw new SyncConfigurationError(
                `Sage returned no customer for company ${args.company}: nothing was tagged or archived (check SAGE300_COMPANY)`,
              );
            const result: CustomerReconciliation = {
              policy,
              sageCustomers: progress.sageCustomers,
              ownedMembers: audience.ownerCount,
              gone: gone.length,
              tagged: 0,
              archived: 0,
              alreadyArchived: 0,
              failed: [],
              members: [],
            };
            await forEachBounded(
              gone,
              IN_FLIGHT,
              async ({ id, status }) => {
                if (status === 'archived') {
                  result.alreadyArchived++;
                  return;
                }
                try {
                  if (policy === 'archive') await mailchimp.archiveMember(listId, id);
                  else await mailchimp.tagMember(listId, id, [{ name: DELETED_TAG, status: 'active' }]);
                } catch (err) {
                  if (!(err instanceof MailchimpError) || err.retryable) throw err;
                  result.failed.push({
                    memberId: id,
                    reason: err.message,
                    ...(err.status ? { status: err.status } : {}),
                  });
                  return;
                }
                if (policy === 'archive') result.archived++;
                else result.tagged++;
                if (result.members.length < MAX_LISTED_MEMBERS) result.members.push(id);
                progress.handled++;
                beat();
              },
              { signal: cancellationSignal() },
            );
            deps.logger.info(
              { jobId: args.jobId, ...result, members: undefined, failed: result.failed.length },
              'customers reconciled',
            );
            return { ...result, failed: result.failed.slice(0, MAX_LISTED_MEMBERS) };
          },
        );
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}
