import { subscriberHash } from './hash.js';

const HASH_BYTES = 16;

/**
 * The addresses of an audience's archived members, held as their subscriber hashes (MD5, 16 bytes
 * each) in one sorted buffer: 1.6 MB for 100,000 archived members, whatever the addresses' length.
 */
export class ArchivedMembers {
  readonly size: number;
  private readonly hashes: Buffer;

  constructor(hexHashes: Iterable<string>) {
    // Lower-case hex of equal length sorts as its bytes do.
    const sorted = [...new Set(hexHashes)].sort();
    this.size = sorted.length;
    this.hashes = Buffer.alloc(sorted.length * HASH_BYTES);
    sorted.forEach((h, i) => this.hashes.write(h, i * HASH_BYTES, HASH_BYTES, 'hex'));
  }

  /** Whether the member with this address is archived. */
  has(email: string): boolean {
    const wanted = Buffer.from(subscriberHash(email), 'hex');
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = mid * HASH_BYTES;
      const order = this.hashes.compare(wanted, 0, HASH_BYTES, at, at + HASH_BYTES);
      if (order === 0) return true;
      if (order < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }
}
