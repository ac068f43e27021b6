import { createHash } from 'node:crypto';
import { subscriberHash } from './hash.js';

const HASH_BYTES = 16;
/** Customer numbers are kept as 8 bytes of their MD5 (a collision among 10^6 keys: ~3e-8) plus a 4-byte slot. */
const OWNER_KEY_BYTES = 8;
const OWNER_BYTES = OWNER_KEY_BYTES + 4;

/** Statuses stored as one byte each; the order is the code. */
const STATUSES = ['subscribed', 'unsubscribed', 'cleaned', 'pending', 'transactional', 'archived'] as const;

/** One member as the snapshot is built from it: its id (the subscriber hash), status, customer number. */
export interface SnapshotEntry {
  id: string;
  status: string;
  customer?: string;
}

function ownerKey(customer: string): Buffer {
  return createHash('md5').update(customer.trim()).digest().subarray(0, OWNER_KEY_BYTES);
}

/**
 * What a job needs to know of an audience, read once: each member's status by subscriber hash, and
 * which member carries which Sage customer number (the merge field the connector writes). Held in
 * sorted buffers, not objects: 17 bytes per member plus 12 per member with a customer number
 * (100,000 customers: about 2.9 MB), whatever the addresses' length.
 */
export class AudienceSnapshot {
  readonly size: number;
  private readonly hashes: Buffer;
  private readonly statuses: Uint8Array;
  /** Sorted (owner key, member slot) pairs. */
  private readonly owners: Buffer;
  readonly ownerCount: number;

  constructor(entries: Iterable<SnapshotEntry>) {
    const byId = new Map<string, SnapshotEntry>();
    for (const e of entries) byId.set(e.id.toLowerCase(), e);
    // Lower-case hex of equal length sorts as its bytes do.
    const sorted = [...byId.keys()].sort();
    this.size = sorted.length;
    this.hashes = Buffer.alloc(sorted.length * HASH_BYTES);
    this.statuses = new Uint8Array(sorted.length);
    const owned: Array<[Buffer, number]> = [];
    sorted.forEach((id, slot) => {
      const e = byId.get(id)!;
      this.hashes.write(id, slot * HASH_BYTES, HASH_BYTES, 'hex');
      const code = (STATUSES as readonly string[]).indexOf(e.status);
      this.statuses[slot] = code < 0 ? 255 : code;
      if (e.customer && e.customer.trim() !== '') owned.push([ownerKey(e.customer), slot]);
    });
    owned.sort(([a], [b]) => a.compare(b));
    this.ownerCount = owned.length;
    this.owners = Buffer.alloc(owned.length * OWNER_BYTES);
    owned.forEach(([key, slot], i) => {
      key.copy(this.owners, i * OWNER_BYTES);
      this.owners.writeUInt32BE(slot, i * OWNER_BYTES + OWNER_KEY_BYTES);
    });
  }

  /** Whether the member with this address is archived (the snapshot's use before any other). */
  has(email: string): boolean {
    return this.statusOf(subscriberHash(email)) === 'archived';
  }

  /** The status of the member with this id (subscriber hash), or undefined when there is none. */
  statusOf(id: string): string | undefined {
    const slot = this.slotOf(id);
    return slot < 0 ? undefined : STATUSES[this.statuses[slot]!];
  }

  /** The ids (subscriber hashes) of the members that carry this customer number. */
  membersOf(customer: string): string[] {
    const key = ownerKey(customer);
    const lo = this.firstOwner(key);
    const ids: string[] = [];
    for (let i = lo; i < this.ownerCount; i++) {
      const at = i * OWNER_BYTES;
      if (this.owners.compare(key, 0, OWNER_KEY_BYTES, at, at + OWNER_KEY_BYTES) !== 0) break;
      ids.push(this.idAt(this.owners.readUInt32BE(at + OWNER_KEY_BYTES)));
    }
    return ids;
  }

  /**
   * The members carrying a customer number none of `customers` has (customers gone from Sage), with
   * their status. `customers` is read as it comes (Sage keyset pages): one bit per owned member.
   */
  async unclaimed(
    customers: AsyncIterable<readonly string[]>,
  ): Promise<Array<{ id: string; status: string | undefined }>> {
    const claimed = new Uint8Array(Math.ceil(this.ownerCount / 8));
    for await (const page of customers) {
      for (const customer of page) {
        const key = ownerKey(customer);
        for (let i = this.firstOwner(key); i < this.ownerCount; i++) {
          const at = i * OWNER_BYTES;
          if (this.owners.compare(key, 0, OWNER_KEY_BYTES, at, at + OWNER_KEY_BYTES) !== 0) break;
          claimed[i >>> 3]! |= 1 << (i & 7);
        }
      }
    }
    const gone: Array<{ id: string; status: string | undefined }> = [];
    for (let i = 0; i < this.ownerCount; i++) {
      if (claimed[i >>> 3]! & (1 << (i & 7))) continue;
      const slot = this.owners.readUInt32BE(i * OWNER_BYTES + OWNER_KEY_BYTES);
      gone.push({ id: this.idAt(slot), status: STATUSES[this.statuses[slot]!] });
    }
    return gone;
  }

  private firstOwner(key: Buffer): number {
    let lo = 0;
    let hi = this.ownerCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const at = mid * OWNER_BYTES;
      // Negative: the owner at `mid` sorts before `key`.
      if (this.owners.compare(key, 0, OWNER_KEY_BYTES, at, at + OWNER_KEY_BYTES) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private idAt(slot: number): string {
    return this.hashes.toString('hex', slot * HASH_BYTES, (slot + 1) * HASH_BYTES);
  }

  private slotOf(id: string): number {
    const wanted = Buffer.from(id, 'hex');
    if (wanted.length !== HASH_BYTES) return -1;
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = mid * HASH_BYTES;
      const order = this.hashes.compare(wanted, 0, HASH_BYTES, at, at + HASH_BYTES);
      if (order === 0) return mid;
      if (order < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
