import type { Client } from '@temporalio/client';
import { jobId } from '../src/workflows/job-id.js';
import { WORKFLOW_TYPE, type SyncJobInput, type SyncJobResult } from '../src/workflows/types.js';

/**
 * Starts a sync job, asks for its progress every `everyMs` (handing it to `onProgress`, which logs
 * by default), and waits for it.
 */
export async function runJob(
  client: Client,
  taskQueue: string,
  input: SyncJobInput,
  opts: { log: (line: string) => void; everyMs?: number; onProgress?: (p: SyncJobResult) => void },
): Promise<{ id: string; result: SyncJobResult; seconds: number }> {
  const id = jobId(input.stream, input.company, new Date(), 'manual');
  const started = Date.now();
  const handle = await client.workflow.start(WORKFLOW_TYPE[input.stream], {
    taskQueue,
    workflowId: id,
    args: [input],
  });
  const onProgress =
    opts.onProgress ??
    ((p: SyncJobResult) =>
      opts.log(`  ${p.status} read ${p.counts.read} written ${p.counts.created + p.counts.updated}`));
  const progress = setInterval(() => {
    void handle
      .query<SyncJobResult>('progress')
      .then(onProgress)
      .catch(() => undefined);
  }, opts.everyMs ?? 10_000);
  try {
    const result = (await handle.result()) as SyncJobResult;
    return { id, result, seconds: (Date.now() - started) / 1000 };
  } finally {
    clearInterval(progress);
  }
}
