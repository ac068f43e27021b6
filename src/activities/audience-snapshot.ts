import type { AudienceSnapshot } from '../mailchimp/audience-snapshot.js';
import type { MailchimpClient } from '../mailchimp/client.js';
import { JobMemo } from './job-cache.js';

/**
 * The audience as a job sees it (each member's status, and which member carries which customer
 * number), read once per job on a worker when its first page has something to write (a job's page
 * on another worker reads it again), never put in workflow history. Kept for the 4 most recent
 * jobs, about 29 bytes per member each (src/mailchimp/audience-snapshot.ts). What changes in the
 * audience after the job read it is not seen by that job: its writes are idempotent PUTs, and an
 * address taken meanwhile is refused by Mailchimp (`Member Exists`), recorded on the record.
 */
export function audienceSnapshotPerJob() {
  const jobs = new JobMemo<AudienceSnapshot>(4);
  return (jobId: string, mailchimp: MailchimpClient, listId: string, customerTag: string) =>
    jobs.get(`${jobId}|${listId}|${customerTag}`, () => mailchimp.audienceSnapshot(listId, customerTag));
}
