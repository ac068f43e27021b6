import { createHash } from 'node:crypto';
import { compareKeys } from './duplicates.js';

const INITIAL_ENTRIES = 1024;
const INITIAL_KEY_BYTES = 16 * 1024;
/** Words of an identity's digest kept: 128 bits of SHA-256. */
const WORDS = 4;

function grown<T extends Uint8Array | Uint16Array | Uint32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/**
 * The shared-email rule (findDuplicates) over a whole company, fed one customer at a time, in flat
 * memory: each distinct identity is 16 bytes of its SHA-256 and its winner's key, in typed arrays
 * and one byte buffer (about 40 bytes an identity, where an object and two strings per customer
 * cost several times that); only losers, the answer, are kept as strings. Keys compare in ordinal
 * order whatever order they come in. Two addresses are taken as one only if their 128-bit digests
 * match: at 1,000,000 customers the odds of that for different addresses are about 1 in 10^26.
 */
export class DuplicateScan {
  private count = 0;
  private digests = new Uint32Array(WORDS * INITIAL_ENTRIES);
  private winnerStart = new Uint32Array(INITIAL_ENTRIES);
  private winnerLength = new Uint16Array(INITIAL_ENTRIES);
  /** 1 once an identity has a second customer. */
  private shared = new Uint8Array(INITIAL_ENTRIES);
  private keyBytes = Buffer.allocUnsafe(INITIAL_KEY_BYTES);
  private keyBytesUsed = 0;
  /** Open addressing on the digest's first word: entry index + 1, 0 for empty; under 3/4 full. */
  private slots = new Uint32Array(2 * INITIAL_ENTRIES);
  private readonly loserEntry = new Map<string, number>();
  private groups = 0;
  private readonly digest = new Uint32Array(WORDS);

  add(key: string, identity: string): void {
    const bytes = createHash('sha256').update(identity).digest();
    const digest = this.digest;
    for (let w = 0; w < WORDS; w++) digest[w] = bytes.readUInt32LE(4 * w);
    const mask = this.slots.length - 1;
    let slot = digest[0]! & mask;
    for (let at = this.slots[slot]!; at !== 0; at = this.slots[slot]!) {
      if (this.sameDigest(at - 1, digest)) {
        this.sharedBy(at - 1, key);
        return;
      }
      slot = (slot + 1) & mask;
    }
    const entry = this.count++;
    if (this.count > this.winnerStart.length) this.growEntries();
    this.digests.set(digest, WORDS * entry);
    this.setWinner(entry, key);
    this.slots[slot] = entry + 1;
    if (4 * this.count > 3 * this.slots.length) this.rehash();
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
    // Sage's collation served a lower key after its group's first (rare): it wins from now on.
    this.loserEntry.set(winner, entry);
    this.setWinner(entry, key);
  }

  private sameDigest(entry: number, digest: Uint32Array): boolean {
    const at = WORDS * entry;
    for (let w = 0; w < WORDS; w++) if (this.digests[at + w] !== digest[w]) return false;
    return true;
  }

  private winner(entry: number): string {
    const start = this.winnerStart[entry]!;
    return this.keyBytes.toString('utf8', start, start + this.winnerLength[entry]!);
  }

  private setWinner(entry: number, key: string): void {
    const need = Buffer.byteLength(key, 'utf8');
    if (this.keyBytesUsed + need > this.keyBytes.length) {
      const bigger = Buffer.allocUnsafe(
        Math.max(Math.ceil(1.5 * this.keyBytes.length), this.keyBytesUsed + need),
      );
      this.keyBytes.copy(bigger, 0, 0, this.keyBytesUsed);
      this.keyBytes = bigger;
    }
    this.winnerStart[entry] = this.keyBytesUsed;
    this.winnerLength[entry] = this.keyBytes.write(key, this.keyBytesUsed, 'utf8');
    this.keyBytesUsed += this.winnerLength[entry]!;
  }

  /** By half again, not double: the arrays are most of the memory. */
  private growEntries(): void {
    const size = Math.ceil(1.5 * this.winnerStart.length);
    this.digests = grown(this.digests, WORDS * size);
    this.winnerStart = grown(this.winnerStart, size);
    this.winnerLength = grown(this.winnerLength, size);
    this.shared = grown(this.shared, size);
  }

  private rehash(): void {
    const slots = new Uint32Array(2 * this.slots.length);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.count; entry++) {
      let slot = this.digests[WORDS * entry]! & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}
