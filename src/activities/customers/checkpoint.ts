import { activityInfo } from '@temporalio/activity';
import type { RecordDetail } from '../../workflows/types.js';
import type { PendingWrite } from './plan.js';

/**
 * Progress of a page kept in heartbeat details, so a retried attempt does not write twice. Its
 * shape is what attempts of other versions of this worker resume from: never change it.
 */
export interface PageCheckpoint {
  /** The fingerprint says which content was written: a record changed since is written again. */
  written: Array<[key: string, action: 'created' | 'updated', fp: string]>;
  failed: RecordDetail[];
}

/** What an earlier attempt of this page wrote and recorded failed, or a fresh start. */
export function resumeCheckpoint(): PageCheckpoint {
  return (activityInfo().heartbeatDetails as PageCheckpoint | undefined) ?? { written: [], failed: [] };
}

/**
 * The members still to write: not written with this content by an earlier attempt, nor recorded
 * failed. Writes of content the page no longer maps to leave the checkpoint.
 */
export function pendingWrites(checkpoint: PageCheckpoint, toWrite: readonly PendingWrite[]): PendingWrite[] {
  const id = (key: string, fp: string) => `${key}|${fp}`;
  const already = new Set(checkpoint.written.map(([key, , fp]) => id(key, fp)));
  const alreadyFailed = new Set(checkpoint.failed.map((f) => f.key));
  const current = new Set(toWrite.map((w) => id(w.key, w.fp)));
  checkpoint.written = checkpoint.written.filter(([key, , fp]) => current.has(id(key, fp)));
  return toWrite.filter((w) => !already.has(id(w.key, w.fp)) && !alreadyFailed.has(w.key));
}
