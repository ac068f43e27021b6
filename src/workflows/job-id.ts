import type { SyncStream, SyncTrigger } from './types.js';

/** 2026-11-27T14:30:00.123Z -> 2026-11-27T14:30:00Z: the time to the second, as a schedule writes it. */
export function jobIdTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The job ID is the workflow ID, one grammar whatever started the job:
 * `<stream>-<company>-<trigger>-<time>`, the trigger as the SyncTrigger search attribute holds it
 * and the time in UTC to the second (docs/outcomes.md). A manual job started 2026-11-27 14:30:00
 * UTC is `customers-SAMINC-manual-2026-11-27T14:30:00Z`; jobs of one stream sort by time within
 * each trigger.
 */
export function jobId(stream: SyncStream, company: string, date: Date, trigger: SyncTrigger): string {
  return `${scheduledJobIdPrefix(stream, company, trigger)}-${jobIdTime(date)}`;
}

/**
 * Everything of a job ID but its time. A schedule's workflow ID is this prefix: the server appends
 * `-<nominal time>` itself, giving `customers-SAMINC-schedule-2026-11-28T02:00:00Z`.
 */
export function scheduledJobIdPrefix(
  stream: SyncStream,
  company: string,
  trigger: SyncTrigger = 'schedule',
): string {
  return `${stream}-${company}-${trigger}`;
}

/** The watermark entity of one stream and company: `sync-state-customers-SAMINC`. */
export function syncStateId(stream: SyncStream, company: string): string {
  return `sync-state-${stream}-${company}`;
}

/** `ml-connector-customers-SAMINC`. */
export function scheduleId(stream: SyncStream, company: string): string {
  return `ml-connector-${stream}-${company}`;
}
