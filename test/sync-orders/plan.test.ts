import { describe, expect, it } from '@jest/globals';
import {
  addDays,
  isNewToStore,
  orderFilter,
  orderSelect,
  type OrderJobPlan,
} from '../../src/domain/orders/plan.js';
import { mergeCandidate, mergeWatermark } from '../../src/workflows/watermark.js';

const base: OrderJobPlan = {
  storeId: 's',
  backfill: false,
  includeQuotes: false,
  chunkSize: 1000,
  today: '2026-11-27',
};

describe('order polling plan', () => {
  it('a backfill reads every order but quotes', () => {
    expect(String(orderFilter({ ...base, backfill: true }))).toBe("OrderType ne 'Quote'");
    expect(orderFilter({ ...base, backfill: true, includeQuotes: true })).toBeUndefined();
  });

  it('an incremental job polls by uniquifier and date, and re-reads open and newly completed orders', () => {
    const f = String(
      orderFilter({
        ...base,
        knownUpTo: 41267,
        fromDay: '2026-10-27',
        lookbackFromDay: '2026-09-28',
        completedSinceDay: '2026-11-26',
      }),
    );
    expect(f).toBe(
      "OrderType ne 'Quote' and ((OrderUniquifier gt 41267 or OrderDate ge 2026-10-27T00:00:00Z) or " +
        "((OrderDate ge 2026-09-28T00:00:00Z and (OrderCompleted eq 'IncompleteNotIncluded' or " +
        "OrderCompleted eq 'IncompleteIncluded')) or OrderCompletionDate ge 2026-11-26T00:00:00Z))",
    );
  });

  it('--since reads from a day without a uniquifier bound', () => {
    expect(String(orderFilter({ ...base, fromDay: '2026-01-01' }))).toBe(
      "OrderType ne 'Quote' and OrderDate ge 2026-01-01T00:00:00Z",
    );
  });

  it('creates directly only what the store cannot have yet', () => {
    expect(isNewToStore({ ...base, backfill: true }, 1)).toBe(true);
    expect(isNewToStore({ ...base, knownUpTo: 100 }, 101)).toBe(true);
    expect(isNewToStore({ ...base, knownUpTo: 100 }, 100)).toBe(false);
    expect(isNewToStore(base, 5)).toBe(false);
  });

  it('asks Sage for the campaign field only when one is configured', () => {
    expect(orderSelect({})).not.toContain('OrderOptionalFields');
    expect(orderSelect({ campaignField: 'MCCAMPAIGN' })).toContain('OrderOptionalFields');
    expect(orderSelect({ campaignField: 'OrderReference' })).toContain('OrderReference');
    expect(addDays('2026-11-27', -60)).toBe('2026-09-28');
  });

  it('the watermark keeps the highest uniquifier and never moves back', () => {
    const c = mergeCandidate(
      { day: '2026-10-01', fingerprints: [], maxUniquifier: 500 },
      { day: '2026-09-01', fingerprints: [], maxUniquifier: 700 },
    );
    expect(c).toEqual({ day: '2026-10-01', fingerprints: [], maxUniquifier: 700 });
    const w = mergeWatermark(
      { day: '2026-10-01', fingerprints: [], maxUniquifier: 900 },
      {
        day: '2026-10-02',
        fingerprints: [],
        maxUniquifier: 800,
        jobId: 'j',
        committedAt: '2026-11-27T00:00:00Z',
      },
    );
    expect(w).toMatchObject({ day: '2026-10-02', maxUniquifier: 900, committedAt: '2026-11-27T00:00:00Z' });
    expect(mergeCandidate({ fingerprints: [] }, { fingerprints: [] })).toEqual({ fingerprints: [] });
  });

  it('the read day (job start minus one) only moves forward, also when a --since job commits an older day', () => {
    const current = { day: '2026-10-02', fingerprints: [], maxUniquifier: 900, readDay: '2026-11-20' };
    expect(
      mergeWatermark(current, { day: '2026-09-01', fingerprints: [], readDay: '2026-11-26' }),
    ).toMatchObject({
      day: '2026-10-02',
      readDay: '2026-11-26',
    });
    expect(
      mergeWatermark(current, { day: '2026-10-03', fingerprints: [], readDay: '2026-11-01' }),
    ).toMatchObject({
      day: '2026-10-03',
      readDay: '2026-11-20',
    });
    expect(mergeCandidate({ fingerprints: [], readDay: '2026-11-26' }, { fingerprints: [] })).toEqual({
      fingerprints: [],
      readDay: '2026-11-26',
    });
  });
});
