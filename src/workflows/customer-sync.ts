import type { SyncJobInput, SyncJobResult } from './types.js';
import { runSyncJob } from './sync-job.js';
import { pageActivities, setupActivities, stateActivities } from './activity-options.js';
import { withStreamLock } from './stream-lock.js';
import { guardStep } from './sync-plan.js';

// A page reads up to 1,000 customers and writes them under the Mailchimp connection cap.
const pages = pageActivities('15m');
// The duplicate scan reads every customer with no checkpoint (it heartbeats, so a dead worker is
// still noticed within the heartbeat timeout): a large company needs far more than a page's time.
const duplicateScan = pageActivities('2h');

/**
 * Syncs one Sage 300 company's customers (ARCustomers) into one Mailchimp audience. The workflow
 * ID is the job ID, e.g. `customers-SAMINC-manual-2026-11-27T14:30:00Z`.
 */
export async function customerSync(input: SyncJobInput): Promise<SyncJobResult> {
  const job: SyncJobInput = { ...input, stream: 'customers' };
  return withStreamLock(job, (holdsLock) =>
    runSyncJob(
      job,
      {
        async prepare({ jobId, input: job }) {
          await setupActivities.prepareCustomerAudience({ jobId });
          return duplicateScan.findDuplicateEmails({ jobId, company: job.company });
        },
        page: (p) => pages.syncCustomerPage(p),
        readWatermark: (a) => stateActivities.readWatermark(a),
        commitWatermark: (a) => stateActivities.commitWatermark(a),
        plan: guardStep('customers'),
      },
      { holdsLock },
    ),
  );
}
