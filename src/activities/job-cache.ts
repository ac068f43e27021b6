/**
 * Small per-job memo held by a worker: what a job already sent (products) or read (customers), so
 * a 50,000-order backfill costs one request per product and per customer, not one per order. Only
 * the most recent jobs are kept, and each job's map is bounded; losing an entry only costs a
 * repeated (idempotent) request.
 */
export class JobCache<V> {
  private readonly jobs = new Map<string, Map<string, V>>();

  constructor(
    private readonly maxJobs: number,
    private readonly maxEntriesPerJob: number,
  ) {}

  forJob(jobId: string): { get(key: string): V | undefined; set(key: string, value: V): void } {
    let entries = this.jobs.get(jobId);
    if (!entries) {
      entries = new Map();
      this.jobs.set(jobId, entries);
      while (this.jobs.size > this.maxJobs) this.jobs.delete(this.jobs.keys().next().value!);
    }
    const map = entries;
    return {
      get: (key) => map.get(key),
      set: (key, value) => {
        if (map.size >= this.maxEntriesPerJob && !map.has(key)) map.delete(map.keys().next().value!);
        map.set(key, value);
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
