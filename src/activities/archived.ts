import type { ArchivedMembers } from '../mailchimp/archived.js';
import type { MailchimpClient } from '../mailchimp/client.js';
import { JobMemo } from './job-cache.js';

/** Why a customer whose member a marketer archived in Mailchimp is not written (SYNC_RESTORE_ARCHIVED). */
export const ARCHIVED_REASON = 'archived in Mailchimp';

/**
 * The audience's archived members, read once per job on a worker, when its first page has something
 * to write (a job's page on another worker reads them again), never put in workflow history. Kept
 * for the 4 most recent jobs, 16 bytes per archived member each (100,000 archived: 1.6 MB a job). A
 * member archived after its job read the set can still be written, so unarchived, by that job.
 */
export function archivedMembersPerJob() {
  const jobs = new JobMemo<ArchivedMembers>(4);
  return (jobId: string, mailchimp: MailchimpClient, listId: string): Promise<ArchivedMembers> =>
    jobs.get(`${jobId}|${listId}`, () => mailchimp.archivedMembers(listId));
}
