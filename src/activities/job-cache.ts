/**
 * Small per-job memo held by a worker: what a job already sent (products) or read (customers), so
 * a 50,000-order backfill costs about one request per product and per customer, not one per order.
 * Only the most recent jobs are kept, and each job keeps its most recently used entries: the memory
 * is the same at 1,000,000 orders as at 10,000. Losing an entry only costs a repeated (idempotent)
 * request.
 */
export class JobCache<V> {
  private readonly jobs = new Map<string, Map<string, V>>();

  constructor(
    private readonly maxJobs: number,
    private readonly maxEntriesPerJob: number,
  ) {}

  /** Entries held, every job's together: never more than maxJobs x maxEntriesPerJob. */
  get size(): number {
    let n = 0;
    for (const map of this.jobs.values()) n += map.size;
    return n;
  }

  forJob(jobId: string): { get(key: string): V | undefined; set(key: string, value: V): void } {
    const map = this.jobs.get(jobId) ?? new Map<string, V>();
    // Maps iterate in insertion order: re-inserting on use makes the first key the least recent.
    this.jobs.delete(jobId);
    this.jobs.set(jobId, map);
    while (this.jobs.size > this.maxJobs) this.jobs.delete(this.jobs.keys().next().value!);
    return {
      get: (key) => {
        const value = map.get(key);
        if (value !== undefined) {
          map.delete(key);
          map.set(key, value);
        }
        return value;
      },
      set: (key, value) => {
        map.delete(key);
        map.set(key, value);
        while (map.size > this.maxEntriesPerJob) map.delete(map.keys().next().value!);
      },
    };
  }
}

/**
 * One result per job (and whatever else the id names) computed once on this worker and awaited by
 * the job's later activities: the loading promise is shared, a failed one is forgotten so the next
 * activity tries again, and only the `maxEntries` most recent are kept.
 */
export class JobMemo<T> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly maxEntries: number) {}

  get(id: string, load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(id);
    if (hit) return hit;
    const pending = load();
    this.entries.set(id, pending);
    pending.catch(() => {
      if (this.entries.get(id) === pending) this.entries.delete(id);
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return pending;
  }
}
