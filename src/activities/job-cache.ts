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
 * The next page a finished activity already asked Sage for, kept briefly for the job's next
 * activity. A miss (another worker, expired, evicted) just means reading the page again.
 */
export class ReadAhead<T> {
  private readonly entries = new Map<string, { value: Promise<T>; at: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxAgeMs: number,
  ) {}

  put(jobId: string, cursor: string | number | undefined, value: Promise<T>): void {
    this.entries.set(`${jobId}|${String(cursor)}`, { value, at: Date.now() });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  take(jobId: string, cursor: string | number | undefined): Promise<T> | undefined {
    const key = `${jobId}|${String(cursor)}`;
    const hit = this.entries.get(key);
    this.entries.delete(key);
    return hit && Date.now() - hit.at <= this.maxAgeMs ? hit.value : undefined;
  }
}
