import { proxyActivities } from '@temporalio/workflow';
import type { ConnectorActivities } from '../activities/index.js';
import type { SyncJobInput, SyncJobResult } from '../sync/types.js';
import { runSyncJob } from './sync-job.js';

/** Errors that retrying cannot fix: bad credentials, a query Sage refuses, a missing setting. */
export const NON_RETRYABLE = [
  'Sage300AuthError',
  'Sage300QueryError',
  'MailchimpAuthError',
  'SyncConfigurationError',
];

const pageActivities = proxyActivities<ConnectorActivities>({
  startToCloseTimeout: '15m',
  // A dead worker is noticed within this; a page heartbeats while it writes.
  heartbeatTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 12,
    nonRetryableErrorTypes: NON_RETRYABLE,
  },
});

const stateActivities = proxyActivities<ConnectorActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 10 },
});

/**
 * Syncs one Sage 300 company's customers (ARCustomers) into one Mailchimp audience. The workflow
 * ID is the job ID, e.g. `customers-SAMINC-20261127T143000Z-manual`.
 */
export async function customerSync(input: SyncJobInput): Promise<SyncJobResult> {
  return runSyncJob(
    { ...input, stream: 'customers' },
    {
      async prepare({ jobId, input: job }) {
        await pageActivities.prepareCustomerAudience({ jobId });
        return pageActivities.findDuplicateEmails({ jobId, company: job.company });
      },
      page: (p) => pageActivities.syncCustomerPage(p),
      readWatermark: (a) => stateActivities.readWatermark(a),
      commitWatermark: (a) => stateActivities.commitWatermark(a),
    },
  );
}
