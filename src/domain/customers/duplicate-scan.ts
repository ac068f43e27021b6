import { compareKeys } from './duplicates.js';

const INITIAL_ENTRIES = 1024;
const INITIAL_BYTES = 64 * 1024;

/** FNV-1a over bytes: spreads identities over the table; equality is always checked on the bytes. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function grown<T extends Uint8Array | Uint16Array | Uint32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * The shared-email rule (findDuplicates) over a whole company, fed one customer at a time, in flat
 * memory: each distinct identity keeps its UTF-8 bytes and its winner's key in one byte buffer and
 * a few numbers in typed arrays (about 60 bytes at 1,000,000 customers, where an object and two
 * strings per customer cost several times that); only losers, the answer, are kept as strings.
 * Exact: identities are compared on their bytes, keys in ordinal order, whatever order they come in.
 */
export class DuplicateScan {
  private bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  private used = 0;
  private count = 0;
  private identityStart = new Uint32Array(INITIAL_ENTRIES);
  private identityLength = new Uint16Array(INITIAL_ENTRIES);
  private winnerStart = new Uint32Array(INITIAL_ENTRIES);
  private winnerLength = new Uint16Array(INITIAL_ENTRIES);
  private hashes = new Uint32Array(INITIAL_ENTRIES);
  /** 1 once an identity has a second customer. */
  private shared = new Uint8Array(INITIAL_ENTRIES);
  /** Open addressing: entry index + 1, 0 for empty; at most half full. */
  private slots = new Uint32Array(2 * INITIAL_ENTRIES);
  private readonly loserEntry = new Map<string, number>();
  private groups = 0;

  add(key: string, identity: string): void {
    const start = this.append(identity);
    const end = this.used;
    const hash = hashBytes(this.bytes, start, end);
    const mask = this.slots.length - 1;
    let slot = hash & mask;
    for (let at = this.slots[slot]!; at !== 0; at = this.slots[slot]!) {
      const entry = at - 1;
      if (this.hashes[entry] === hash && this.sameIdentity(entry, start, end)) {
        this.used = start; // a known identity: its bytes are not kept twice
        this.sharedBy(entry, key);
        return;
      }
      slot = (slot + 1) & mask;
    }
    const entry = this.count++;
    this.ensureEntries(this.count);
    this.identityStart[entry] = start;
    this.identityLength[entry] = end - start;
    this.hashes[entry] = hash;
    this.setWinner(entry, key);
    this.slots[slot] = entry + 1;
    if (2 * this.count > this.slots.length) this.rehash();
  }

  /** Groups of two or more customers, and loser -> winner (as findDuplicates). */
  result(): { groups: number; duplicateOf: Record<string, string> } {
    const duplicateOf: Record<string, string> = {};
    for (const [loser, entry] of this.loserEntry) duplicateOf[loser] = this.winner(entry);
    return { groups: this.groups, duplicateOf };
  }

  private sharedBy(entry: number, key: string): void {
    const winner = this.winner(entry);
    const order = compareKeys(key, winner);
    if (order === 0) return;
    if (this.shared[entry] === 0) {
      this.shared[entry] = 1;
      this.groups++;
    }
    if (order > 0) {
      this.loserEntry.set(key, entry);
      return;
    }
    // Sage's collation put a lower key after its group's first (rare): it wins from now on.
    this.loserEntry.set(winner, entry);
    this.setWinner(entry, key);
  }

  private winner(entry: number): string {
    const start = this.winnerStart[entry]!;
    return this.bytes.toString('utf8', start, start + this.winnerLength[entry]!);
  }

  private setWinner(entry: number, key: string): void {
    const start = this.append(key);
    this.winnerStart[entry] = start;
    this.winnerLength[entry] = this.used - start;
  }

  private sameIdentity(entry: number, start: number, end: number): boolean {
    const from = this.identityStart[entry]!;
    const length = this.identityLength[entry]!;
    return length === end - start && this.bytes.compare(this.bytes, from, from + length, start, end) === 0;
  }

  /** Writes the text's UTF-8 bytes at the end of the buffer; returns where they start. */
  private append(text: string): number {
    const need = Buffer.byteLength(text, 'utf8');
    if (this.used + need > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + need));
      this.bytes.copy(bigger, 0, 0, this.used);
      this.bytes = bigger;
    }
    const start = this.used;
    this.used += this.bytes.write(text, start, 'utf8');
    return start;
  }

  private ensureEntries(n: number): void {
    if (n <= this.hashes.length) return;
    const size = 2 * this.hashes.length;
    this.identityStart = grown(this.identityStart, size);
    this.identityLength = grown(this.identityLength, size);
    this.winnerStart = grown(this.winnerStart, size);
    this.winnerLength = grown(this.winnerLength, size);
    this.hashes = grown(this.hashes, size);
    this.shared = grown(this.shared, size);
  }

  private rehash(): void {
    const slots = new Uint32Array(2 * this.slots.length);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = this.hashes[entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}
