import { describe, expect, it } from '@jest/globals';
import { SAGE300_RETRY } from '../../src/sage300/client.js';
import { retryDelay } from '../../src/shared/http-retry.js';

// The numbers docs/retries.md states for Sage 300; change both together.
describe('Sage 300 in-request retry policy', () => {
  const waits = (random: () => number) =>
    Array.from({ length: SAGE300_RETRY.maxAttempts - 1 }, (_, i) =>
      retryDelay(SAGE300_RETRY, i + 1, 0, random),
    );

  it('tries 3 times, waiting 0.5-1 s then 1-2 s', () => {
    expect(SAGE300_RETRY.maxAttempts).toBe(3);
    expect(waits(() => 0)).toEqual([500, 1000]);
    expect(waits(() => 1)).toEqual([1000, 2000]);
  });

  it("waits as long as Sage's Retry-After asks, at most 30 s", () => {
    expect(retryDelay(SAGE300_RETRY, 1, 10_000, () => 1)).toBe(10_000);
    expect(retryDelay(SAGE300_RETRY, 1, 120_000, () => 1)).toBe(30_000);
  });
});
