/** Ordinal key order, the order keyset paging reads customers in. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface DuplicateGroups {
  /** Each group's keys, lowest (the winner) first; only groups of two or more. */
  groups: string[][];
  /** Loser key -> winner key. */
  duplicateOf: Record<string, string>;
}

/**
 * Customers sharing an email become one member. Rule: the lowest CustomerNumber (ordinal order) wins
 * and is synced; the others are recorded `skipped: duplicate of <winner>`. Deterministic and
 * independent of the order records are seen in, so every page of a job agrees.
 */
export function findDuplicates(entries: Iterable<{ key: string; identity: string }>): DuplicateGroups {
  const byIdentity = new Map<string, string[]>();
  for (const { key, identity } of entries) {
    const keys = byIdentity.get(identity);
    if (keys) keys.push(key);
    else byIdentity.set(identity, [key]);
  }
  const groups: string[][] = [];
  const duplicateOf: Record<string, string> = {};
  for (const keys of byIdentity.values()) {
    if (keys.length < 2) continue;
    const sorted = [...new Set(keys)].sort(compareKeys);
    if (sorted.length < 2) continue;
    groups.push(sorted);
    for (const loser of sorted.slice(1)) duplicateOf[loser] = sorted[0]!;
  }
  groups.sort((a, b) => compareKeys(a[0]!, b[0]!));
  return { groups, duplicateOf };
}

/**
 * How many records at the start of a page (in Sage's order) the page's duplicate map covers: all of
 * them up to the first key above `limit`. A prefix, not a filter: the cursor moves to the last record
 * taken, so no record before it may be left out, whatever order Sage's collation puts keys in.
 */
export function coveredPrefix(keys: readonly string[], limit: string): number {
  const beyond = keys.findIndex((k) => compareKeys(k, limit) > 0);
  return beyond === -1 ? keys.length : beyond;
}

/**
 * The losers among a page's records (key -> winner), given the other customers that use one of
 * their identities: the rule of findDuplicates over the whole company, decided for these records
 * only. A page record's own identity is the one the page read: `others` entries with its key are
 * ignored, and entries with unrelated identities change nothing.
 */
export function duplicatesAmong(
  page: ReadonlyArray<{ key: string; identity: string }>,
  others: Iterable<{ key: string; identity: string }>,
): Record<string, string> {
  const own = new Set(page.map((e) => e.key));
  const { duplicateOf } = findDuplicates([...page, ...[...others].filter((e) => !own.has(e.key))]);
  const out: Record<string, string> = {};
  for (const key of own) if (duplicateOf[key] !== undefined) out[key] = duplicateOf[key]!;
  return out;
}
