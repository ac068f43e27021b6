import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from '@temporalio/worker';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { createLimiter, type Limiter } from '../../src/shared/concurrency.js';
import { defaultWorkflowsPath } from '../../src/worker/worker.js';
import {
  ConnectionShareError,
  joinConnectionBudget,
  type ConnectionShare,
  type ShareTiming,
} from '../../src/worker/connection-share.js';
import {
  connectionBudget,
  connectionBudgetId,
  connectionSharesQuery,
  connectionShareUpdate,
  releaseShareSignal,
} from '../../src/workflows/connection-budget.js';
import type { ShareRequest } from '../../src/workflows/connection-shares.js';
import { connectTestTemporal, type TemporalTestContext } from '../helpers/temporal.js';
import { memoryLogger } from '../helpers/logger.js';

jest.setTimeout(120_000);

const BUDGET = 4;
// Short waits so leases and refusals show within a test; the production values are seconds longer.
const FAST: Partial<ShareTiming> = { waitMs: 500, leaseMs: 2_000, maxWaitMs: 60_000 };

describe('the connectionBudget entity and the workers that share it (real Temporal)', () => {
  let t: TemporalTestContext;
  let worker: Worker;
  let running: Promise<void>;
  const shares: ConnectionShare[] = [];
  beforeAll(async () => {
    t = await connectTestTemporal();
    worker = await Worker.create({
      connection: t.nativeConnection,
      namespace: 'default',
      taskQueue: t.taskQueue,
      workflowsPath: defaultWorkflowsPath(),
      shutdownGraceTime: '1s',
    });
    running = worker.run();
  });
  afterAll(async () => {
    for (const s of shares) await s.stop();
    worker?.shutdown();
    await running;
    await t?.close();
  });

  /** A "process": its own limiter, in the budget of `credentialId`. */
  function join(credentialId: string, timing: Partial<ShareTiming> = FAST): Limiter {
    const limiter = createLimiter(BUDGET);
    const share = joinConnectionBudget({
      client: t.client,
      taskQueue: t.taskQueue,
      credentialId,
      budget: BUDGET,
      limiter,
      logger: memoryLogger('warn').logger,
      timing,
    });
    shares.push(share);
    return limiter;
  }

  /** A holder that takes the whole budget once and is never heard from again (a killed worker). */
  async function deadHolder(credentialId: string, leaseMs: number) {
    const req: ShareRequest = {
      holder: `dead-${randomUUID()}`,
      seq: 1,
      budget: BUDGET,
      limit: 0,
      inFlight: 0,
      busy: true,
      leaseMs,
      waitMs: 0,
    };
    const answer = await t.client.workflow.executeUpdateWithStart(connectionShareUpdate, {
      args: [req],
      startWorkflowOperation: new WithStartWorkflowOperation(connectionBudget, {
        workflowId: connectionBudgetId(t.taskQueue, credentialId),
        taskQueue: t.taskQueue,
        args: [{}],
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
    expect(answer.share).toBe(BUDGET);
    return req.holder;
  }

  const holdersOf = (credentialId: string) =>
    t.client.workflow.getHandle(connectionBudgetId(t.taskQueue, credentialId)).query(connectionSharesQuery);

  it('two processes writing at once never have more than the budget in flight together', async () => {
    const credentialId = randomUUID();
    const processes = [join(credentialId), join(credentialId)];
    let inFlight = 0;
    let most = 0;
    let together = false;
    const work = processes.flatMap((limiter) =>
      Array.from({ length: 60 }, () =>
        limiter.run(async () => {
          most = Math.max(most, ++inFlight);
          together ||= processes.every((p) => p.inFlight > 0);
          await sleep(40);
          inFlight--;
        }),
      ),
    );
    await Promise.all(work);
    expect({ most, together }).toEqual({ most: BUDGET, together: true });
    // Its history so far (long polls answered early and late, superseded requests) replays.
    const history = await t.client.workflow
      .getHandle(connectionBudgetId(t.taskQueue, credentialId))
      .fetchHistory();
    await Worker.runReplayHistory({ workflowsPath: defaultWorkflowsPath() }, history);
  });

  it("a dead worker's share comes back when its lease runs out, not before", async () => {
    const credentialId = randomUUID();
    await deadHolder(credentialId, 3_000);
    const [dead] = await holdersOf(credentialId);
    const limiter = join(credentialId);
    const startedAt = await limiter.run(async () => Date.now());
    expect(startedAt).toBeGreaterThanOrEqual(dead!.expiresAt);
    expect((await holdersOf(credentialId)).map((h) => h.holder)).not.toContain(dead!.holder);
  });

  it('requests that wait too long for a share fail with the reason; a share given back frees them', async () => {
    const credentialId = randomUUID();
    const dead = await deadHolder(credentialId, 60_000);
    const limiter = join(credentialId, { ...FAST, maxWaitMs: 1_500 });
    await expect(limiter.run(async () => 'ran')).rejects.toThrow(ConnectionShareError);
    // Until the entity's first answer arrives (slow on a loaded machine) the refusal can only say it
    // did not answer; once it has, the refusal names who holds the budget.
    // A refusal stays until the next answer, so ask again a little later each time.
    const reasons: string[] = [];
    const giveUpAt = Date.now() + 30_000;
    while (Date.now() < giveUpAt && !reasons.at(-1)?.includes('held by')) {
      const refused = await limiter
        .run(async () => 'ran')
        .then(
          () => 'ran',
          (err: Error) => err.message,
        );
      reasons.push(refused);
      await sleep(100);
    }
    expect(reasons.at(-1)).toMatch(
      /no Mailchimp connection for 2 s: the 4 connections of this Mailchimp key \(MAILCHIMP_MAX_CONNECTIONS\) are held by 1 other worker/,
    );
    await t.client.workflow
      .getHandle(connectionBudgetId(t.taskQueue, credentialId))
      .signal(releaseShareSignal, { holder: dead });
    // Refused until the next answer (at most `waitMs` away) gives it the freed share.
    let result: string | undefined;
    while (!result) {
      result = await limiter.run(async () => 'ran').catch(() => sleep(100).then(() => undefined));
    }
    expect(result).toBe('ran');
  });

  it('a stopped worker gives its share back, and its later requests fail', async () => {
    const credentialId = randomUUID();
    const limiter = join(credentialId);
    await limiter.run(async () => undefined);
    expect((await holdersOf(credentialId)).length).toBe(1);
    await shares.at(-1)!.stop();
    expect(await holdersOf(credentialId)).toEqual([]);
    await expect(limiter.run(async () => 'ran')).rejects.toThrow(/the worker has stopped/);
  });

  it('continues as new with its holders', async () => {
    const credentialId = randomUUID();
    const handle = t.client.workflow.getHandle(connectionBudgetId(t.taskQueue, credentialId));
    await deadHolder(credentialId, 600_000);
    const firstRun = (await handle.describe()).runId;
    // The test server suggests continue-as-new at 400 events; every answered request adds five.
    for (let seq = 0; seq < 100; seq++) {
      await handle.executeUpdate(connectionShareUpdate, {
        args: [
          {
            holder: 'renewing',
            seq,
            budget: BUDGET,
            limit: 0,
            inFlight: 0,
            busy: true,
            leaseMs: 60_000,
            waitMs: 0,
          },
        ],
      });
    }
    const described = await handle.describe();
    expect(described.runId).not.toBe(firstRun);
    expect(described.status.name).toBe('RUNNING');
    const holders = await handle.query(connectionSharesQuery);
    expect(holders.map((h) => [h.holder, h.share])).toEqual([
      [expect.stringMatching(/^dead-/), BUDGET],
      ['renewing', 0],
    ]);
  });
});
