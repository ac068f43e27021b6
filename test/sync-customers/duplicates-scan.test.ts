import { describe, expect, it } from '@jest/globals';
import { DuplicateScan } from '../../src/domain/customers/duplicate-scan.js';
import { findDuplicates } from '../../src/domain/customers/duplicates.js';
import {
  DEFAULT_MAPPING_SETTINGS,
  syncedEmailIdentity,
  type CustomerFields,
  type CustomerMappingSettings,
} from '../../src/domain/customers/mapping.js';
import { customerKey } from '../../src/domain/customers/plan.js';
import { makeCustomer, withSharedEmail } from '../../simulators/sage300/generate.js';

type Entry = { key: string; identity: string };

function entriesOf(rows: CustomerFields[], settings = DEFAULT_MAPPING_SETTINGS): Entry[] {
  const out: Entry[] = [];
  for (const c of rows) {
    const identity = syncedEmailIdentity(c, settings);
    if (identity) out.push({ key: customerKey(c), identity });
  }
  return out;
}

function scanned(entries: Entry[]) {
  const scan = new DuplicateScan();
  for (const { key, identity } of entries) scan.add(key, identity);
  return scan.result();
}

/** The old algorithm's answer: every entry kept, grouped by a Map of strings. */
function expected(entries: Entry[]) {
  const { groups, duplicateOf } = findDuplicates(entries);
  return { groups: groups.length, duplicateOf };
}

/** A seeded shuffle: the order Sage's collation may serve keys in is not the ordinal one. */
function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const generated = (count: number, pairs = 0) =>
  Array.from(
    { length: count },
    (_, i) => withSharedEmail(makeCustomer(7, i), i, pairs) as unknown as CustomerFields,
  );

describe('DuplicateScan: the shared-email rule over a company in flat memory', () => {
  it('gives the old algorithm’s answer on generated data, in key order and shuffled', () => {
    const entries = entriesOf(generated(30_000));
    const want = expected(entries);
    expect(want.groups).toBeGreaterThan(100); // the data has groups to find
    expect(scanned(entries)).toEqual(want);
    expect(scanned(shuffled(entries, 1))).toEqual(want);
  });

  it('gives the same answer with the inactive and on-hold customers left out', () => {
    const settings: CustomerMappingSettings = {
      ...DEFAULT_MAPPING_SETTINGS,
      includeInactive: false,
      includeOnHold: false,
    };
    const entries = entriesOf(generated(20_000), settings);
    expect(entries.length).toBeLessThan(entriesOf(generated(20_000)).length);
    expect(scanned(entries)).toEqual(expected(entries));
  });

  it('gives the same answer when every customer shares an address in pairs', () => {
    const entries = entriesOf(generated(20_000, 9_990));
    const want = expected(entries);
    expect(Object.keys(want.duplicateOf).length).toBeGreaterThan(9_000);
    expect(scanned(shuffled(entries, 2))).toEqual(want);
  });

  it('messy input: lower keys arriving late, repeated rows, case and Unicode in keys and identities', () => {
    const entries: Entry[] = [
      { key: 'B1', identity: 'x@y.com' },
      { key: 'a9', identity: 'x@y.com' }, // a collation may serve it first; ordinally it is higher
      { key: 'A5', identity: 'x@y.com' }, // arrives after its group's first key but wins
      { key: 'B1', identity: 'x@y.com' }, // the same row read twice
      { key: 'Ö1', identity: 'ü@y.com' },
      { key: 'O1', identity: 'ü@y.com' },
      { key: '😀', identity: 'z@y.com' },
      { key: 'ｚ', identity: 'z@y.com' }, // astral vs BMP: UTF-16 order, not UTF-8 byte order
      { key: 'C1', identity: 'alone@y.com' },
      { key: 'C2', identity: 'x@y.co' }, // a prefix of another identity is another identity
      { key: 'C3', identity: 'x@y.comm' },
    ];
    const want = expected(entries);
    expect(want.duplicateOf).toEqual({ B1: 'A5', a9: 'A5', Ö1: 'O1', ｚ: '😀' });
    expect(scanned(entries)).toEqual(want);
    expect(scanned(shuffled(entries, 3))).toEqual(want);
  });

  it('keeps identities apart across many table and buffer growths', () => {
    const entries: Entry[] = [];
    for (let i = 0; i < 50_000; i++)
      entries.push({ key: `K${String(i).padStart(6, '0')}`, identity: `u${i % 30_011}@d${i % 7}.com` });
    expect(scanned(shuffled(entries, 4))).toEqual(expected(entries));
  });
});
