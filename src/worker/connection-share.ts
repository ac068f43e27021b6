import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Logger } from '../logging/logger.js';
import type { Limiter } from '../shared/concurrency.js';
import {
  connectionBudget,
  connectionBudgetId,
  connectionShareUpdate,
  releaseShareSignal,
} from '../workflows/connection-budget.js';
import type { ShareAnswer, ShareRequest } from '../workflows/connection-shares.js';

export interface ShareTiming {
  /** How long the entity holds a request back while the share stays the same (then it is renewed). */
  waitMs: number;
  /** How long the entity counts a share without a request; the process stops using it at half. */
  leaseMs: number;
  /** No Mailchimp request for this long: the process says it is idle, and yields its share to busy ones. */
  idleMs: number;
  /** Idle this long: the share goes back to the pool and the process stops asking. */
  releaseMs: number;
  /** Requests waiting this long without a share fail (their activity is retried by Temporal). */
  maxWaitMs: number;
  /** Pause before asking again after a failed request. */
  retryMs: number;
  /** How often the process looks at its own limiter while it holds a share (no I/O). */
  tickMs: number;
}

export const SHARE_TIMING: ShareTiming = {
  waitMs: 5_000,
  leaseMs: 20_000,
  idleMs: 500,
  releaseMs: 30_000,
  maxWaitMs: 60_000,
  retryMs: 1_000,
  tickMs: 50,
};

export interface ConnectionShareOptions {
  client: Client;
  taskQueue: string;
  credentialId: string;
  /** MAILCHIMP_MAX_CONNECTIONS. */
  budget: number;
  /** The process's limiter for the credential: its cap follows the share. */
  limiter: Limiter;
  logger: Logger;
  timing?: Partial<ShareTiming>;
}

export interface ConnectionShare {
  /** The name this process holds its share under. */
  readonly holder: string;
  /** Gives the share back (when nothing is in flight) and fails later requests: the worker has stopped. */
  stop(): Promise<void>;
}

/** Requests of this process could not get a connection from the budget in time. */
export class ConnectionShareError extends Error {
  override name = 'ConnectionShareError';
}

/**
 * This process's part of the deployment's Mailchimp connection budget (the connectionBudget
 * entity). From the first request after an idle spell it keeps one request for its share waiting in
 * the entity, answered when the share changes or after `waitMs` (then it asks again, which renews
 * the lease), and sets its limiter's cap to each answer. It says when it goes idle (`idleMs` without
 * requests), so busy workers get its part, and gives the share back after `releaseMs`. Until a share
 * is granted, requests wait (at most `maxWaitMs`). A process that cannot reach the entity stops
 * using its share before the entity would give it to another.
 */
export function joinConnectionBudget(opts: ConnectionShareOptions): ConnectionShare {
  const t = { ...SHARE_TIMING, ...opts.timing };
  const { client, limiter } = opts;
  const holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const workflowId = connectionBudgetId(opts.taskQueue, opts.credentialId);
  const logger = opts.logger.child({ connectionBudget: workflowId, holder });
  const stopping = new AbortController();
  const stopped = new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve()));
  const pause = (ms: number) =>
    sleep(ms, undefined, { signal: stopping.signal, ref: false }).catch(() => undefined);
  let seq = 0;
  limiter.resize(0);

  /** `accepted` runs once the entity has taken the request in (which renews the lease), before the answer. */
  const ask = (req: ShareRequest, accepted: () => void): Promise<ShareAnswer> =>
    client.withAbortSignal(
      AbortSignal.any([stopping.signal, AbortSignal.timeout(t.waitMs + 5_000)]),
      async () => {
        const update = await client.workflow.startUpdateWithStart(connectionShareUpdate, {
          args: [req],
          waitForStage: 'ACCEPTED',
          startWorkflowOperation: new WithStartWorkflowOperation(connectionBudget, {
            workflowId,
            taskQueue: opts.taskQueue,
            args: [{}],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
        accepted();
        return update.result();
      },
    );

  /** From the first request until `releaseMs` without any (or the stop). */
  async function hold(): Promise<void> {
    let sent: ShareRequest | undefined;
    let pending = false;
    let renewedAt = Date.now(); // when the last request the entity took in was sent
    let failing = false;
    let retryAt = 0;
    let last: ShareAnswer | undefined;
    let seen = limiter.submitted;
    let busyAt = Date.now();
    let waitingSince: number | undefined;

    const send = () => {
      const req: ShareRequest = {
        holder,
        seq: ++seq,
        budget: opts.budget,
        limit: limiter.limit,
        inFlight: limiter.inFlight,
        busy: Date.now() - busyAt < t.idleMs,
        leaseMs: t.leaseMs,
        waitMs: t.waitMs,
      };
      const askedAt = Date.now();
      sent = req;
      pending = true;
      const accepted = () => (renewedAt = Math.max(renewedAt, askedAt));
      ask(req, accepted).then(
        (answer) => {
          if (req.seq !== seq) return; // a newer request is out, or the share was given back
          pending = false;
          if (failing) logger.info('Mailchimp connection budget reachable again');
          failing = false;
          if (answer.share !== limiter.limit) {
            logger.info(
              { share: answer.share, budget: answer.budget, workers: answer.holders },
              'Mailchimp connection share',
            );
          }
          // Only what the entity counted is ever used: a lower share applies at once, and the next
          // request reports it, so the connections can go to another worker.
          limiter.resize(answer.share);
          last = answer;
        },
        (err: unknown) => {
          if (req.seq !== seq) return;
          // Refused by the entity (a request it cannot read): its lease was not renewed.
          if (err instanceof WorkflowUpdateFailedError) limiter.resize(0);
          pending = false;
          if (!stopping.signal.aborted && !failing) {
            logger.warn({ err }, 'cannot reach the Mailchimp connection budget; retrying');
          }
          failing = true;
          last = undefined;
          retryAt = Date.now() + t.retryMs;
        },
      );
    };

    while (!stopping.signal.aborted) {
      const now = Date.now();
      if (limiter.submitted !== seen || limiter.inFlight > 0 || limiter.waiting > 0) {
        seen = limiter.submitted;
        busyAt = now;
      } else if (now - busyAt >= t.releaseMs) {
        return;
      }
      // The entity drops the lease `leaseMs` after it last heard from us: stop well before that.
      if (now - renewedAt > t.leaseMs / 2 && limiter.limit > 0) limiter.resize(0);
      if (limiter.limit === 0 && limiter.waiting > 0) {
        waitingSince ??= now;
        if (now - waitingSince >= t.maxWaitMs) limiter.refuse(waitedTooLong(last));
      } else {
        waitingSince = undefined;
      }
      // After shrinking, the requests over the new share finish: say so at once, not at the renewal.
      const drained = sent !== undefined && sent.inFlight > sent.limit && limiter.inFlight <= limiter.limit;
      const turned = sent !== undefined && sent.busy !== now - busyAt < t.idleMs;
      if (pending ? drained || turned : now >= retryAt) send();
      await pause(t.tickMs);
    }
  }

  function waitedTooLong(answer: ShareAnswer | undefined): ConnectionShareError {
    const seconds = Math.round(t.maxWaitMs / 1000);
    const why = answer
      ? `the ${answer.budget} connections of this Mailchimp key (MAILCHIMP_MAX_CONNECTIONS) are held by ` +
        `${answer.holders - 1} other worker(s) of task queue "${opts.taskQueue}"`
      : `the connection budget in Temporal (workflow ${workflowId}) did not answer`;
    return new ConnectionShareError(
      `no Mailchimp connection for ${seconds} s: ${why}; the activity is retried`,
    );
  }

  /** A signal: recorded even when no worker is left to run the entity (this one has stopped polling). */
  async function giveBack(): Promise<void> {
    seq++; // an answer still on its way is not applied
    limiter.resize(0);
    if (limiter.inFlight > 0) return; // still counted: the lease runs out instead
    const signal = () => client.workflow.getHandle(workflowId).signal(releaseShareSignal, { holder });
    await client
      .withAbortSignal(AbortSignal.timeout(5_000), signal)
      .catch((err: unknown) => logger.debug({ err }, 'connection share not given back; its lease runs out'));
  }

  const running = (async () => {
    while (!stopping.signal.aborted) {
      await Promise.race([limiter.whenBusy(), stopped]);
      if (stopping.signal.aborted) break;
      await hold();
      await giveBack();
    }
  })();

  return {
    holder,
    async stop() {
      stopping.abort();
      await running;
      limiter.refuse(new ConnectionShareError('the worker has stopped: no more Mailchimp requests'));
    },
  };
}
