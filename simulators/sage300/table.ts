export type Key = string | number;
export type Row = Record<string, unknown>;

const foldKey = (k: string) => k.trimEnd().toLowerCase();

function cmp(a: Key, b: Key): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A view's rows in primary-key order. Seeded rows are made on demand from their index, so a
 * 100,000-customer table holds only a sorted key array and an index array; rows a test edits or
 * adds live in `stored`. Filters on `searchable` columns only (an email lookup) are answered from a
 * narrow copy of those columns, built on the first such query: a scan that makes no rows.
 */
export class LazyTable {
  private keys: Key[];
  /** Generator index per sorted position, or -1 for a row that exists only in `stored`. */
  private gen: number[];
  private readonly stored = new Map<Key, Row>();
  /** Per position: the key and the searchable columns (undefined until first needed). */
  private narrow?: Row[];
  /** String keys by their trimmed lower case, built on the first key seek (the key's index). */
  private folded?: Map<string, Key[]>;

  constructor(
    readonly keyField: string,
    count: number,
    keyOf: (i: number) => Key,
    private readonly make: (i: number) => Row,
    readonly searchable: readonly string[] = [],
  ) {
    const order = Array.from({ length: count }, (_, i) => i);
    const keys = order.map(keyOf);
    order.sort((a, b) => cmp(keys[a]!, keys[b]!));
    this.keys = order.map((i) => keys[i]!);
    this.gen = order;
    for (let p = 1; p < this.keys.length; p++) {
      if (this.keys[p] === this.keys[p - 1]) throw new Error(`duplicate key ${String(this.keys[p])}`);
    }
  }

  get size(): number {
    return this.keys.length;
  }

  /** First position whose key is > key (strict) or >= key. */
  lowerBound(key: Key, inclusive: boolean): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cmp(this.keys[mid]!, key);
      if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  at(position: number): Row {
    const key = this.keys[position]!;
    return this.stored.get(key) ?? this.make(this.gen[position]!);
  }

  /** The key and searchable columns of the row at `position`. */
  narrowAt(position: number): Row {
    if (!this.narrow) this.narrow = this.keys.map((_, p) => this.narrowOf(this.at(p)));
    return this.narrow[position]!;
  }

  private narrowOf(row: Row): Row {
    const out: Row = { [this.keyField]: row[this.keyField] };
    for (const c of this.searchable) out[c] = row[c];
    return out;
  }

  /**
   * Positions of the rows whose key may equal `key` in any collation (trailing spaces and case
   * ignored), in key order: a key seek, as SQL Server's primary key index answers `Key eq 'X'`.
   * The caller still tests each row against its filter.
   */
  positionsMatching(key: Key): number[] {
    if (typeof key === 'number') {
      const p = this.lowerBound(key, true);
      return this.keys[p] === key ? [p] : [];
    }
    if (!this.folded) {
      this.folded = new Map();
      for (const k of this.keys) {
        if (typeof k !== 'string') continue;
        const f = foldKey(k);
        const same = this.folded.get(f);
        if (same) same.push(k);
        else this.folded.set(f, [k]);
      }
    }
    return (this.folded.get(foldKey(key)) ?? []).map((k) => this.lowerBound(k, true));
  }

  get(key: Key): Row | undefined {
    const p = this.lowerBound(key, true);
    return p < this.keys.length && this.keys[p] === key ? this.at(p) : undefined;
  }

  has(key: Key): boolean {
    return this.get(key) !== undefined;
  }

  /** Inserts or replaces a row (a copy is kept). */
  put(row: Row): void {
    const key = row[this.keyField] as Key;
    const p = this.lowerBound(key, true);
    const exists = p < this.keys.length && this.keys[p] === key;
    if (!exists) {
      this.keys.splice(p, 0, key);
      this.gen.splice(p, 0, -1);
      this.folded = undefined;
    }
    this.stored.set(key, structuredClone(row));
    if (this.narrow) this.narrow.splice(p, exists ? 1 : 0, this.narrowOf(row));
  }

  /** Removes a row; false when there was none. */
  delete(key: Key): boolean {
    const p = this.lowerBound(key, true);
    if (!(p < this.keys.length && this.keys[p] === key)) return false;
    this.keys.splice(p, 1);
    this.gen.splice(p, 1);
    this.narrow?.splice(p, 1);
    this.folded = undefined;
    this.stored.delete(key);
    return true;
  }

  lastKey(): Key | undefined {
    return this.keys[this.keys.length - 1];
  }

  *scan(from = 0): Generator<Row> {
    for (let p = from; p < this.keys.length; p++) yield this.at(p);
  }
}
