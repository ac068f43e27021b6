import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  expire,
  grantFor,
  release,
  report,
  settle,
  type ShareAnswer,
  type ShareHolder,
  type ShareRequest,
} from './connection-shares.js';

/**
 * A worker process asks for (and renews) its share of the connections; the answer is what it may use
 * now, held back up to `waitMs` while that stays what it has, so a change reaches it at once.
 */
export const connectionShareUpdate = defineUpdate<ShareAnswer, [ShareRequest]>('connectionShare');
/** A process gives its share back (a signal: recorded even when no worker is left to run the entity). */
export const releaseShareSignal = defineSignal<[{ holder: string }]>('releaseConnectionShare');
export const connectionSharesQuery = defineQuery<ShareHolder[]>('connectionShares');

export interface ConnectionBudgetInput {
  holders?: ShareHolder[];
}

/** One budget per task queue (a deployment) and credential, named by its hash, never by the key. */
export function connectionBudgetId(taskQueue: string, credentialId: string): string {
  return `mailchimp-connections-${taskQueue}-${credentialId}`;
}

/** How often the entity drops expired leases, and ends once nobody holds a share. */
const LEASE_CHECK_MS = 30_000;
/** Continue-as-new well before the server's suggestion: each renewal is one update. */
const MAX_HISTORY = 2000;

function validate(req: ShareRequest): void {
  const whole = (n: number, min: number) => Number.isInteger(n) && n >= min;
  const counts = [req.seq, req.limit, req.inFlight, req.waitMs].every((n) => whole(n, 0));
  if (!req.holder || !whole(req.budget, 1) || !counts) {
    throw new Error('a connection share request needs a holder, a budget >= 1 and whole counts');
  }
  if (req.waitMs > 60_000 || !whole(req.leaseMs, req.waitMs + 1000)) {
    throw new Error('a connection share lease outlasts its wait by at least 1 s; the wait is at most 60 s');
  }
}

/**
 * The Mailchimp connections of one API key, shared by every worker process of a task queue
 * (`mailchimp-connections-<task queue>-<credential hash>`): each process that is writing to
 * Mailchimp holds a lease on a share of MAILCHIMP_MAX_CONNECTIONS and keeps one request for it
 * waiting here, answered when its share changes or after a few seconds (then it asks again), so N
 * workers never have more than the budget in flight together (Mailchimp answers 429 past its cap).
 *
 * Its state is one small entry per live process; it continues as new before its history grows long
 * and ends once nobody holds a share, so an idle deployment keeps none.
 */
export async function connectionBudget(input: ConnectionBudgetInput = {}): Promise<void> {
  let holders = input.holders ?? [];
  // Set while the entity continues as new or ends: answers go out at once, so no handler is left.
  let draining = false;
  setHandler(
    connectionShareUpdate,
    async (req): Promise<ShareAnswer> => {
      holders = report(holders, req, Date.now());
      const current = () => holders.some((h) => h.holder === req.holder && h.seq === req.seq);
      const answerable = () => draining || !current() || grantFor(holders, req.holder) !== req.limit;
      if (req.waitMs > 0 && !answerable()) await condition(answerable, req.waitMs);
      // Released, or a newer request of the same holder came: this answer is never applied.
      if (!current()) return { share: 0, budget: req.budget, holders: holders.length };
      const next = settle(holders, req.holder);
      holders = next.holders;
      return next.answer;
    },
    { validator: validate },
  );
  setHandler(releaseShareSignal, ({ holder }) => {
    holders = release(holders, holder);
  });
  setHandler(connectionSharesQuery, () => holders);
  const rollover = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > MAX_HISTORY;
  for (;;) {
    const rolled = await condition(rollover, LEASE_CHECK_MS);
    holders = expire(holders, Date.now());
    if (!rolled && holders.length > 0) continue;
    draining = true;
    await condition(allHandlersFinished);
    // Synchronous from here on: no update is handled between this check and the end.
    holders = expire(holders, Date.now());
    if (rolled) await continueAsNew<typeof connectionBudget>({ holders });
    if (holders.length === 0) return;
    draining = false;
  }
}
