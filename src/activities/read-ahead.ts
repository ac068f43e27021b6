type Key = ReadonlyArray<string | number | undefined>;

/**
 * Sage pages asked for before they are needed: while a page activity writes one page it reads the
 * next, for itself (the next Sage page of an order chunk) or for the job's next page activity
 * (usually on this worker). Kept briefly and few; a miss (another worker, expired, evicted, or the
 * early read failed) only means reading the page again when it is needed.
 */
export class ReadAhead<T> {
  private readonly entries = new Map<string, { page: Promise<T | undefined>; at: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  /** Starts `load()` now for whoever reads `key` next, unless that read is already under way. */
  ahead(key: Key, load: () => Promise<T>): void {
    const id = key.map(String).join('|');
    if (this.entries.has(id)) return;
    // A failed early read is never thrown here: whoever needs the page reads it again.
    this.entries.set(id, { page: load().catch(() => undefined), at: Date.now() });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** The page under `key`: the one read ahead when it is here, fresh and read, else `load()`. */
  async read(key: Key, load: () => Promise<T>): Promise<T> {
    const id = key.map(String).join('|');
    const hit = this.entries.get(id);
    this.entries.delete(id);
    const early = hit && Date.now() - hit.at <= this.maxAgeMs ? await hit.page : undefined;
    return early ?? load();
  }
}
