import type { SyncStream, SyncTrigger } from './types.js';

/** 2026-11-27T14:30:00.123Z -> 20261127T143000Z (sorts in time order, readable in the Temporal UI). */
export function compactTimestamp(date: Date): string {
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** The job ID is the workflow ID: `customers-SAMINC-20261127T143000Z-manual`. */
export function jobId(stream: SyncStream, company: string, date: Date, trigger: SyncTrigger): string {
  return `${stream}-${company}-${compactTimestamp(date)}-${trigger}`;
}

/**
 * Workflow ID prefix of scheduled runs: the schedule appends `-<nominal time RFC3339>`, giving
 * `customers-SAMINC-scheduled-2026-11-27T02:00:00Z`.
 */
export function scheduledJobIdPrefix(stream: SyncStream, company: string): string {
  return `${stream}-${company}-scheduled`;
}

/** The watermark entity of one stream and company: `sync-state-customers-SAMINC`. */
export function syncStateId(stream: SyncStream, company: string): string {
  return `sync-state-${stream}-${company}`;
}

/** `ml-connector-customers-SAMINC`. */
export function scheduleId(stream: SyncStream, company: string): string {
  return `ml-connector-${stream}-${company}`;
}
