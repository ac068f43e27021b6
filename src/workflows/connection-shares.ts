/**
 * How one Mailchimp connection budget is split between worker processes (the connectionBudget
 * entity's arithmetic, kept pure so it can be tested without Temporal).
 */

/** A worker process's report, sent with every request for its share. */
export interface ShareRequest {
  /** The process (host, pid and a random part): one entry per live process. */
  holder: string;
  /** Its requests in order: an answer to an older one is never applied. */
  seq: number;
  /** Its MAILCHIMP_MAX_CONNECTIONS; holders that disagree share the lowest. */
  budget: number;
  /** Its limiter's cap when it asked (the last share it applied). */
  limit: number;
  /** Its requests in flight when it asked. */
  inFlight: number;
  /** Whether it had requests to make just before it asked (an idle holder yields to busy ones). */
  busy: boolean;
  /** How long its share stays counted without a request (a dead process's share returns to the pool). */
  leaseMs: number;
  /** How long the entity may hold the answer back while the share stays `limit` (a long poll). */
  waitMs: number;
}

export interface ShareHolder {
  holder: string;
  seq: number;
  budget: number;
  /** The share it was last answered. */
  share: number;
  limit: number;
  inFlight: number;
  busy: boolean;
  expiresAt: number;
}

export interface ShareAnswer {
  /** Connections the holder may use now (0: wait). */
  share: number;
  budget: number;
  holders: number;
}

/**
 * What a holder may be using now. It lowers its limiter at once when answered a smaller share, but
 * its requests already running finish, and an answer it never received was never applied: until it
 * reports again, the largest of what it was answered and what it last said it had and used.
 */
export function reserved(h: ShareHolder): number {
  return Math.max(h.share, h.limit, h.inFlight);
}

/** Holders whose lease ran out are dropped; a live process asks again well before that. */
export function expire(holders: readonly ShareHolder[], now: number): ShareHolder[] {
  return holders.filter((h) => h.expiresAt > now);
}

/** Records a holder's report (a newcomer joins at the end) and renews its lease. */
export function report(holders: readonly ShareHolder[], req: ShareRequest, now: number): ShareHolder[] {
  const live = expire(holders, now);
  const known = live.find((h) => h.holder === req.holder);
  const entry: ShareHolder = {
    holder: req.holder,
    seq: req.seq,
    budget: req.budget,
    share: known?.share ?? 0,
    limit: req.limit,
    inFlight: req.inFlight,
    busy: req.busy,
    expiresAt: now + req.leaseMs,
  };
  return known ? live.map((h) => (h === known ? entry : h)) : [...live, entry];
}

/**
 * What `holder` may use now: an equal split of the budget between the busy holders (between all
 * of them when none is), the remainder to the earliest (so 10 among 3 is 4, 3, 3); an idle holder
 * keeps its part only while nobody else is writing. Granted only out of connections no other holder
 * may be using, so the sum of every holder's `reserved` never passes the budget: a holder over its
 * part is answered less at once, and the others get theirs as it reports that it shrank.
 */
export function grantFor(holders: readonly ShareHolder[], holder: string): number {
  const me = holders.find((h) => h.holder === holder);
  if (!me) return 0;
  const budget = Math.min(...holders.map((h) => h.budget));
  const sharing = holders.some((h) => h.busy) ? holders.filter((h) => h.busy) : holders;
  const index = sharing.indexOf(me);
  const fair =
    index < 0 ? 0 : Math.floor(budget / sharing.length) + (index < budget % sharing.length ? 1 : 0);
  const othersReserved = holders.reduce((sum, h) => (h === me ? sum : sum + reserved(h)), 0);
  return Math.max(0, Math.min(fair, budget - othersReserved));
}

/** Answers `holder` its grant and records it as its share. */
export function settle(
  holders: readonly ShareHolder[],
  holder: string,
): { holders: ShareHolder[]; answer: ShareAnswer } {
  const share = grantFor(holders, holder);
  const next = holders.map((h) => (h.holder === holder ? { ...h, share } : h));
  const budget = Math.min(...holders.map((h) => h.budget));
  return { holders: next, answer: { share, budget, holders: holders.length } };
}

/** A process leaving (idle, or stopped with nothing in flight): its connections return to the pool. */
export function release(holders: readonly ShareHolder[], holder: string): ShareHolder[] {
  return holders.filter((h) => h.holder !== holder);
}
