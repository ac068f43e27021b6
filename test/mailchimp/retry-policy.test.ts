import { describe, expect, it } from '@jest/globals';
import { MAILCHIMP_RETRY } from '../../src/mailchimp/http.js';
import { retryDelay } from '../../src/shared/http-retry.js';

// The numbers docs/retries.md states for Mailchimp; change both together.
describe('Mailchimp in-request retry policy', () => {
  const waits = (random: () => number) =>
    Array.from({ length: MAILCHIMP_RETRY.maxAttempts - 1 }, (_, i) =>
      retryDelay(MAILCHIMP_RETRY, i + 1, 0, random),
    );

  it('tries 5 times, waiting 0.25-0.5, 0.5-1, 1-2 and 2-4 s (at most 7.5 s in all)', () => {
    expect(MAILCHIMP_RETRY.maxAttempts).toBe(5);
    expect(waits(() => 0)).toEqual([250, 500, 1000, 2000]);
    expect(waits(() => 1)).toEqual([500, 1000, 2000, 4000]);
    expect(waits(() => 1).reduce((a, b) => a + b)).toBe(7500);
  });

  it('never waits longer than the 20 s ceiling, however many tries a caller configures', () => {
    expect(retryDelay(MAILCHIMP_RETRY, 12, 0, () => 1)).toBe(20_000);
  });
});
