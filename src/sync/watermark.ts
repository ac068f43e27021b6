import { MAX_FINGERPRINTS, type Watermark, type WatermarkCandidate } from './types.js';

/**
 * Merges two high-water marks: the later day wins; on the same day the fingerprints are united
 * (capped: beyond the cap the day is marked `overflow` and its records are simply sent again).
 * Pure and deterministic: used inside workflows.
 */
export function mergeCandidate(a: WatermarkCandidate, b: WatermarkCandidate): WatermarkCandidate {
  return withMaxUniquifier(mergeDays(a, b), a.maxUniquifier, b.maxUniquifier);
}

/** Order sync: the highest OrderUniquifier of either side rides along (absent for customers). */
function withMaxUniquifier<T extends { maxUniquifier?: number }>(c: T, a?: number, b?: number): T {
  if (a === undefined && b === undefined) return c;
  const { maxUniquifier: _ignored, ...rest } = c;
  void _ignored;
  return { ...rest, maxUniquifier: Math.max(a ?? b!, b ?? a!) } as T;
}

function mergeDays(a: WatermarkCandidate, b: WatermarkCandidate): WatermarkCandidate {
  if (!b.day) return a;
  if (!a.day || b.day > a.day) return capped(b);
  if (b.day < a.day) return a;
  const union = new Set(a.fingerprints);
  for (const f of b.fingerprints) union.add(f);
  return capped({ day: a.day, fingerprints: [...union], overflow: Boolean(a.overflow || b.overflow) });
}

function capped(c: WatermarkCandidate): WatermarkCandidate {
  if (c.fingerprints.length <= MAX_FINGERPRINTS) return c;
  return { day: c.day, fingerprints: [], overflow: true };
}

/** The committed watermark after a successful job: never moves backwards. */
export function mergeWatermark(
  current: Watermark | undefined,
  commit: WatermarkCandidate & { jobId?: string; committedAt?: string },
): Watermark | undefined {
  if (!commit.day) return current;
  const merged = mergeCandidate(
    current
      ? { day: current.day, fingerprints: current.fingerprints, overflow: current.overflow }
      : { fingerprints: [] },
    commit,
  );
  if (current && merged.day === current.day && commit.day < current.day) return current;
  return withMaxUniquifier(
    {
      day: merged.day!,
      fingerprints: merged.fingerprints,
      ...(merged.overflow ? { overflow: true } : {}),
      ...(commit.jobId ? { jobId: commit.jobId } : {}),
      ...(commit.committedAt ? { committedAt: commit.committedAt } : {}),
    } as Watermark,
    current?.maxUniquifier,
    commit.maxUniquifier,
  );
}

/** YYYY-MM-DD check for `--since`. */
export function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`));
}
