import { BATCH_OPERATION_MS, DEFAULT_BULK_PER_MEMBER_MS } from '../simulators/mailchimp/index.js';

/** A real round trip to Mailchimp's API (docs/benchmarks.md "Simulator cost model"). */
export const REAL_ROUND_TRIP_MS = 200;

export interface BenchCosts {
  /** latencyMs / REAL_ROUND_TRIP_MS: how much faster than Mailchimp the benchmark's simulator runs. */
  timeScale: number;
  latencyMs: number;
  bulkPerMemberMs: number;
  batchItemLatencyMs: number;
}

/**
 * The simulator's costs for a benchmark at `latencyMs` a request. The simulator's defaults are
 * real-world figures (a bulk member 10 ms, a /batches operation 60 ms) beside a real round trip of
 * about 200 ms; the benchmark runs faster than that, so all three shrink by the same factor. Then
 * one bulk call costs what it would against Mailchimp relative to one PUT, and the bulk paths are
 * neither flattered nor penalised by the choice of latency.
 */
export function benchCosts(latencyMs: number): BenchCosts {
  const timeScale = latencyMs / REAL_ROUND_TRIP_MS;
  return {
    timeScale,
    latencyMs,
    bulkPerMemberMs: DEFAULT_BULK_PER_MEMBER_MS * timeScale,
    batchItemLatencyMs: BATCH_OPERATION_MS * timeScale,
  };
}

/** The costs in one line, real-world figures beside the scaled ones. */
export function describeCosts(c: BenchCosts): string {
  const r = (x: number) => Math.round(x * 100) / 100;
  return (
    `Mailchimp cost model: real round trip ${REAL_ROUND_TRIP_MS} ms, bulk member ${DEFAULT_BULK_PER_MEMBER_MS} ms, ` +
    `/batches operation ${BATCH_OPERATION_MS} ms, all scaled x${r(c.timeScale)}: ` +
    `${r(c.latencyMs)} ms a request, ${r(c.bulkPerMemberMs)} ms a bulk member, ${r(c.batchItemLatencyMs)} ms a /batches operation`
  );
}
