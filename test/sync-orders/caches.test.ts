import { describe, expect, it } from '@jest/globals';
import {
  ORDER_CACHE_ENTRIES,
  ORDER_CACHE_JOBS,
  customerCache,
  productCache,
} from '../../src/activities/orders/caches.js';

describe('order job caches', () => {
  it('hold at most ORDER_CACHE_ENTRIES per job, however many distinct customers a job meets', () => {
    const cache = customerCache();
    const job = cache.forJob('orders-1');
    const distinct = ORDER_CACHE_ENTRIES * 3 + 17;
    for (let i = 0; i < distinct; i++) job.set(`C${i}`, null);
    expect(cache.size).toBe(ORDER_CACHE_ENTRIES);
    // The most recent ones are kept, the oldest are the ones dropped.
    expect(job.get(`C${distinct - 1}`)).toBeNull();
    expect(job.get(`C${distinct - ORDER_CACHE_ENTRIES}`)).toBeNull();
    expect(job.get(`C${distinct - ORDER_CACHE_ENTRIES - 1}`)).toBeUndefined();
    expect(job.get('C0')).toBeUndefined();
  });

  it('keep an entry in use: a customer on every page is not dropped for the many seen once', () => {
    const cache = productCache();
    const job = cache.forJob('orders-1');
    job.set('P-regular', 'fp');
    for (let i = 0; i < ORDER_CACHE_ENTRIES * 2; i++) {
      job.set(`P${i}`, 'fp');
      if (i % 100 === 0) expect(job.get('P-regular')).toBe('fp');
    }
    expect(job.get('P-regular')).toBe('fp');
    expect(cache.size).toBe(ORDER_CACHE_ENTRIES);
  });

  it('keep the most recent ORDER_CACHE_JOBS jobs, so the bound holds across jobs too', () => {
    const cache = customerCache();
    const jobs = ORDER_CACHE_JOBS + 5;
    for (let j = 0; j < jobs; j++) {
      const job = cache.forJob(`orders-${j}`);
      for (let i = 0; i < ORDER_CACHE_ENTRIES + 10; i++) job.set(`C${i}`, null);
    }
    expect(cache.size).toBe(ORDER_CACHE_JOBS * ORDER_CACHE_ENTRIES);
    expect(cache.forJob(`orders-${jobs - 1}`).get(`C${ORDER_CACHE_ENTRIES + 9}`)).toBeNull();
    // A job dropped starts empty again: its next page reads its customers from Sage once more.
    expect(cache.forJob('orders-0').get(`C${ORDER_CACHE_ENTRIES + 9}`)).toBeUndefined();
  });
});
