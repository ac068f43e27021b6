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
