import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { classifyOrders } from './expected.js';
import { expectBackfilledExactlyOnce } from './assertions.js';
import { startOrderHarness, storedCount, type OrderHarness } from './harness.js';
import { testServerAddress } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

// The production worker (`ml-connector worker`, from the build that `npm test` makes first) runs in a
// child process that is SIGKILLed mid-backfill: no graceful shutdown, no activity completion; the
// server notices through the heartbeat timeout (30 s) and a new worker finishes the job.
const built = existsSync(join(process.cwd(), 'dist', 'src', 'cli', 'index.js'));
// Skipped only when run outside `npm test` without a build: the test runs the built CLI.
if (!built) console.warn('worker-kill test skipped: dist/ is missing (run `npm run build` or `npm test`)');

(built ? describe : describe.skip)('orderSync backfill after the worker process is killed', () => {
  let h: OrderHarness;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    h = await startOrderHarness({
      customers: 30,
      orders: 120,
      items: 8,
      sagePageSize: 10,
      mailchimpLatencyMs: 40,
      encrypted: true,
      vars: { SYNC_ORDER_CHUNK_SIZE: '20', MAILCHIMP_MAX_CONNECTIONS: '4' },
    });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await h?.stop();
  });

  it('a new worker finishes with every order exactly once and is_syncing cleared', async () => {
    const classified = classifyOrders(h.sage.data.orders(), h.sage.data.customers());
    const expected = classified.orders;
    child = spawn(process.execPath, ['bin/ml-connector.js', 'worker'], {
      env: {
        PATH: process.env.PATH,
        ...h.vars,
        LOG_LEVEL: 'warn',
        TEMPORAL_ADDRESS: testServerAddress(),
        ML_CONNECTOR_TASK_QUEUE: h.t.taskQueue,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));

    const handle = await h.startJob({ full: true });
    await waitFor(() => storedCount(h) >= 25 || child!.exitCode !== null, 90_000, 'the first orders');
    expect({ exitCode: child.exitCode, stderr: stderr.slice(0, 2000) }).toEqual({
      exitCode: null,
      stderr: expect.any(String),
    });
    child.kill('SIGKILL');
    await exited;
    const atKill = storedCount(h);
    expect(atKill).toBeLessThan(expected.size);

    await h.startWorker();
    const result = await handle.result();
    // The page the killed worker was writing is re-done from its last heartbeat: what it had
    // created is updated, never created again.
    await expectBackfilledExactlyOnce(h, result, classified);
  }, 180_000);
});
