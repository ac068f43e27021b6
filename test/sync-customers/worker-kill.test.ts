import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { startHarness, type SyncHarness } from './harness.js';
import { expectedMembers } from './expected.js';
import { testServerAddress } from '../helpers/temporal.js';
import { waitFor } from '../helpers/wait.js';

/** Member writes (PUT .../members/<hash>) in the simulator's request log, in order. */
function memberWrites(h: SyncHarness): string[] {
  return (h.mc.stats.log ?? [])
    .filter((r) => r.method === 'PUT' && /\/lists\/[^/]+\/members\/[0-9a-f]{32}$/.test(r.path))
    .map((r) => r.path.slice(r.path.lastIndexOf('/') + 1));
}

// The production worker (the built CLI) is SIGKILLed in the middle of one large customer page: no
// graceful shutdown, no activity completion. The server notices through the heartbeat timeout and
// the page runs again on a new worker, which must resume from the checkpoint in the last heartbeat
// the killed worker sent: the members written before it are not written again.
describe('customerSync page after the worker process is killed', () => {
  let h: SyncHarness;
  let child: ChildProcess | undefined;
  beforeAll(async () => {
    h = await startHarness({
      customers: 900,
      sagePageSize: 1000, // one page: the kill lands inside it
      encrypted: true,
      vars: { MAILCHIMP_MAX_CONNECTIONS: '2', LOG_LEVEL: 'warn' },
    });
    h.mc.settings.latencyMs = 25;
    // Every member exists already, so each is written with its own PUT (new members of a first
    // load are created in bulk instead; bulk-retry.test.ts covers resuming those).
    for (const email of expectedMembers(h.sage.data.customers()).members.keys())
      h.mc.state.seedMember(h.listId, { email, status: 'subscribed' });
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await h?.stop();
  });

  it('the restarted page resumes from its checkpoint: what the dead worker wrote is not written again', async () => {
    child = spawn(process.execPath, ['bin/ml-connector.js', 'worker'], {
      env: { PATH: process.env.PATH, ...h.vars, TEMPORAL_ADDRESS: testServerAddress() },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));

    const job = h.runJob({ full: true });
    await waitFor(() => memberWrites(h).length >= 250 || child!.exitCode !== null, 90_000, 'member writes');
    expect({ exitCode: child.exitCode, stderr: stderr.slice(0, 2000) }).toEqual({
      exitCode: null,
      stderr: expect.any(String),
    });
    const early = new Set(memberWrites(h));
    // Kill once 250 more members are written: by then the chunks that held the early ones have
    // finished and a heartbeat carrying them reached the server (heartbeats are throttled to 2 s).
    await waitFor(() => memberWrites(h).length >= early.size + 250, 90_000, 'more member writes');
    child.kill('SIGKILL');
    await exited;
    const beforeKill = memberWrites(h);
    const writtenBefore = new Set(beforeKill);
    expect(writtenBefore.size).toBeLessThan(850);

    await h.startWorker();
    const result = await job;
    expect(result.status).not.toBe('failed');
    const afterKill = memberWrites(h).slice(beforeKill.length);
    const again = afterKill.filter((hash) => writtenBefore.has(hash));
    // Without the checkpoint every member would be written again; with it, only those written after
    // the last heartbeat the server received (the chunks in flight, a couple of seconds of writes),
    // and none of those written well before the kill.
    expect(again.length).toBeLessThan(writtenBefore.size);
    expect(again.filter((hash) => early.has(hash))).toEqual([]);
    // And the page still finished: every member the job counts as written was sent by one of the two
    // workers (the rest of the writes are members Mailchimp refused, counted failed).
    const sent = new Set([...beforeKill, ...afterKill]);
    expect(sent.size).toBeGreaterThanOrEqual(result.counts.created + result.counts.updated);
    expect(sent.size).toBeLessThanOrEqual(
      result.counts.created + result.counts.updated + result.counts.failed,
    );
  }, 180_000);
});
