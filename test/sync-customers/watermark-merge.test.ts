import { describe, expect, it } from '@jest/globals';
import { isDay, mergeCandidate, mergeWatermark } from '../../src/sync/watermark.js';
import { MAX_FINGERPRINTS } from '../../src/sync/types.js';
import { compactTimestamp, jobId, syncStateId, scheduleId } from '../../src/sync/job-id.js';

describe('watermark merging (pure, used inside workflows)', () => {
  it('keeps the later day, unites fingerprints of the same day', () => {
    const a = { day: '2026-11-26', fingerprints: ['x'] };
    expect(mergeCandidate(a, { day: '2026-11-27', fingerprints: ['y'] })).toEqual({
      day: '2026-11-27',
      fingerprints: ['y'],
    });
    expect(mergeCandidate(a, { day: '2026-11-25', fingerprints: ['z'] })).toBe(a);
    expect(mergeCandidate(a, { day: '2026-11-26', fingerprints: ['y', 'x'] })).toEqual({
      day: '2026-11-26',
      fingerprints: ['x', 'y'],
      overflow: false,
    });
    expect(mergeCandidate(a, { fingerprints: [] })).toBe(a);
  });

  it('drops fingerprints beyond the cap and marks the day as overflowing', () => {
    const many = Array.from({ length: MAX_FINGERPRINTS + 1 }, (_, i) => `f${i}`);
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
    const at = new Date(Date.UTC(2026, 10, 27, 14, 30, 0, 123));
    expect(compactTimestamp(at)).toBe('20261127T143000Z');
    expect(jobId('customers', 'SAMINC', at, 'manual')).toBe('customers-SAMINC-20261127T143000Z-manual');
    expect(syncStateId('customers', 'SAMINC')).toBe('sync-state-customers-SAMINC');
    expect(scheduleId('orders', 'SAMINC')).toBe('ml-connector-orders-SAMINC');
  });
});
