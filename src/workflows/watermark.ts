import { MAX_FINGERPRINTS, type Watermark, type WatermarkCandidate } from './types.js';

/**
 * Merges two high-water marks (b is the newer): the later day wins; on the same day the
 * fingerprints are merged per key, b's replacing a's (capped: beyond the cap the day is marked `overflow` and its records are simply sent again).
 * Pure and deterministic: used inside workflows.
 */
export function mergeCandidate(a: WatermarkCandidate, b: WatermarkCandidate): WatermarkCandidate {
  return withReadDay(
    withMaxUniquifier(mergeDays(a, b), a.maxUniquifier, b.maxUniquifier),
    a.readDay,
    b.readDay,
  );
}

/** Order sync: the later read day of either side rides along (absent for customers). */
function withReadDay<T extends { readDay?: string }>(c: T, a?: string, b?: string): T {
  const later = [a, b]
    .filter((d): d is string => Boolean(d))
    .sort()
    .pop();
  if (!later) return c;
  return { ...c, readDay: later };
}

/** Order sync: the highest OrderUniquifier of either side rides along (absent for customers). */
function withMaxUniquifier<T extends { maxUniquifier?: number }>(c: T, a?: number, b?: number): T {
  if (a === undefined && b === undefined) return c;
  const { maxUniquifier: _ignored, ...rest } = c;
  void _ignored;
  return { ...rest, maxUniquifier: Math.max(a ?? b!, b ?? a!) } as T;
}

/** A watermark fingerprint entry: the record's key and the hash of the content last synced for it. */
export function fingerprintEntry(key: string, fp: string): string {
  return `${key}:${fp}`;
}

/**
 * Key -> fingerprint of a watermark's entries; later entries replace earlier ones for the same key.
 * Entries of the old format (a bare hash, no key) are dropped: their records are simply sent again.
 */
export function fingerprintsByKey(
  entries: Iterable<string>,
  into = new Map<string, string>(),
): Map<string, string> {
  for (const entry of entries) {
    // The hash is base64url (never a colon); a key could contain one.
    const at = entry.lastIndexOf(':');
    if (at > 0) into.set(entry.slice(0, at), entry.slice(at + 1));
  }
  return into;
}

function mergeDays(a: WatermarkCandidate, b: WatermarkCandidate): WatermarkCandidate {
  if (!b.day) return a;
  if (!a.day || b.day > a.day) return capped(b);
  if (b.day < a.day) return a;
  // One fingerprint per key, the newer (b) winning: a record synced as A, then B, then edited back
  // to A must not find A's old hash and be counted unchanged while Mailchimp holds B.
  const byKey = fingerprintsByKey(b.fingerprints, fingerprintsByKey(a.fingerprints));
  const fingerprints = [...byKey].map(([key, fp]) => fingerprintEntry(key, fp));
  return capped({ day: a.day, fingerprints, overflow: Boolean(a.overflow || b.overflow) });
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
  if (current && merged.day === current.day && commit.day < current.day) {
    return withReadDay(current, current.readDay, commit.readDay);
  }
  const next = withMaxUniquifier(
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
  return withReadDay(next, current?.readDay, commit.readDay);
}

/** YYYY-MM-DD check for `--since`: a day that exists (Date.parse takes 2026-02-31 for 3 March). */
export function isDay(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === value;
}
