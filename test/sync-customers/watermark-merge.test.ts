import { describe, expect, it } from '@jest/globals';
import { fingerprintsByKey, isDay, mergeCandidate, mergeWatermark } from '../../src/workflows/watermark.js';
import { MAX_FINGERPRINTS } from '../../src/workflows/types.js';
import {
  jobId,
  jobIdTime,
  scheduledJobIdPrefix,
  syncStateId,
  scheduleId,
} from '../../src/workflows/job-id.js';

describe('watermark merging (pure, used inside workflows)', () => {
  it('keeps the later day; on the same day one fingerprint per key, the newer winning', () => {
    const a = { day: '2026-11-26', fingerprints: ['K1:x'] };
    expect(mergeCandidate(a, { day: '2026-11-27', fingerprints: ['K2:y'] })).toEqual({
      day: '2026-11-27',
      fingerprints: ['K2:y'],
    });
    expect(mergeCandidate(a, { day: '2026-11-25', fingerprints: ['K3:z'] })).toBe(a);
    expect(mergeCandidate(a, { day: '2026-11-26', fingerprints: ['K2:y', 'K1:x'] })).toEqual({
      day: '2026-11-26',
      fingerprints: ['K1:x', 'K2:y'],
      overflow: false,
    });
    // K1 synced as A, then as B: only B is known (edited back to A, it is written again).
    const ab = mergeCandidate(
      { day: '2026-11-26', fingerprints: ['K1:AAAA', 'K:2:cc'] },
      { day: '2026-11-26', fingerprints: ['K1:BBBB'] },
    );
    expect(ab.fingerprints).toEqual(['K1:BBBB', 'K:2:cc']);
    expect(fingerprintsByKey(ab.fingerprints)).toEqual(
      new Map([
        ['K1', 'BBBB'],
        ['K:2', 'cc'],
      ]),
    );
    expect(mergeCandidate(a, { fingerprints: [] })).toBe(a);
  });

  it('drops old-format bare hashes on merge (their records are sent once more)', () => {
    const old = { day: '2026-11-26', fingerprints: ['AbCdEfGhIjKl'] };
    expect(mergeCandidate(old, { day: '2026-11-26', fingerprints: ['K1:x'] }).fingerprints).toEqual(['K1:x']);
    expect(fingerprintsByKey(old.fingerprints).size).toBe(0);
    expect(
      mergeWatermark(
        { day: '2026-11-26', fingerprints: ['AbCdEfGhIjKl', 'K1:x'] },
        { day: '2026-11-26', fingerprints: ['K1:y'] },
      ),
    ).toEqual({ day: '2026-11-26', fingerprints: ['K1:y'] });
  });

  it('drops fingerprints beyond the cap and marks the day as overflowing', () => {
    const many = Array.from({ length: MAX_FINGERPRINTS + 1 }, (_, i) => `K${i}:f`);
    expect(mergeCandidate({ fingerprints: [] }, { day: '2026-11-27', fingerprints: many })).toEqual({
      day: '2026-11-27',
      fingerprints: [],
      overflow: true,
    });
  });

  it('never moves a committed watermark backwards', () => {
    const current = { day: '2026-11-27', fingerprints: ['a'], jobId: 'j1' };
    expect(mergeWatermark(current, { day: '2026-11-01', fingerprints: ['b'], jobId: 'j2' })).toBe(current);
    expect(mergeWatermark(current, { day: '2026-11-28', fingerprints: ['c'], jobId: 'j3' })).toEqual({
      day: '2026-11-28',
      fingerprints: ['c'],
      jobId: 'j3',
    });
    expect(mergeWatermark(undefined, { fingerprints: [] })).toBeUndefined();
  });

  it('checks days and builds readable IDs', () => {
    expect(isDay('2026-11-27')).toBe(true);
    expect(isDay('2026-13-01')).toBe(false);
    expect(isDay('27/11/2026')).toBe(false);
    expect(isDay('2026-02-31')).toBe(false); // Date.parse would take it for 3 March
    expect(isDay('2028-02-29')).toBe(true);
    const at = new Date(Date.UTC(2026, 10, 27, 14, 30, 0, 123));
    // One grammar whatever started the job: <stream>-<company>-<trigger>-<time>; a schedule's
    // workflow ID is the prefix, and the server appends the same time format.
    expect(jobIdTime(at)).toBe('2026-11-27T14:30:00Z');
    expect(jobId('customers', 'SAMINC', at, 'manual')).toBe('customers-SAMINC-manual-2026-11-27T14:30:00Z');
    expect(`${scheduledJobIdPrefix('orders', 'SAMINC')}-2026-11-28T02:00:00Z`).toBe(
      jobId('orders', 'SAMINC', new Date(Date.UTC(2026, 10, 28, 2)), 'schedule'),
    );
    expect(syncStateId('customers', 'SAMINC')).toBe('sync-state-customers-SAMINC');
    expect(scheduleId('orders', 'SAMINC')).toBe('ml-connector-orders-SAMINC');
  });
});
