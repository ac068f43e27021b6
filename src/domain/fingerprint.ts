import { createHash } from 'node:crypto';

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, stable((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/**
 * A short content hash of what a record maps to (key included): 12 base64url characters (72
 * bits). Same fingerprint = same member payload, so a re-read record need not be written again.
 * Hashing the mapped payload (not the raw Sage row) means a settings change is a change.
 */
export function fingerprint(key: string, mapped: unknown): string {
  return createHash('sha256')
    .update(`${key}\n${JSON.stringify(stable(mapped))}`)
    .digest('base64url')
    .slice(0, 12);
}
