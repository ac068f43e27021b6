import { describe, expect, it } from '@jest/globals';
import {
  expire,
  grantFor,
  release,
  report,
  reserved,
  settle,
  type ShareHolder,
  type ShareRequest,
} from '../../src/workflows/connection-shares.js';

const LEASE = 20_000;

function request(holder: string, over: Partial<ShareRequest> = {}): ShareRequest {
  return {
    holder,
    seq: 1,
    budget: 10,
    limit: 0,
    inFlight: 0,
    busy: true,
    leaseMs: LEASE,
    waitMs: 5000,
    ...over,
  };
}

/** A report followed at once by its answer: the share the holder is told. */
function ask(holders: ShareHolder[], req: ShareRequest, now = 0): { holders: ShareHolder[]; share: number } {
  const next = settle(report(holders, req, now), req.holder);
  return { holders: next.holders, share: next.answer.share };
}

describe('splitting one connection budget between worker processes', () => {
  it('a lone worker gets the whole budget', () => {
    expect(ask([], request('a')).share).toBe(10);
  });

  it('a newcomer waits until the holder reports that it shrank; 10 among 3 is 4, 3, 3', () => {
    let s = ask([], request('a'));
    let holders = s.holders;
    s = ask(holders, request('b'));
    holders = s.holders;
    expect(s.share).toBe(0); // a may still have 10 in flight
    // a is answered its part, applies it, and still has 8 requests finishing.
    s = ask(holders, request('a', { seq: 2, limit: 10, inFlight: 10 }));
    holders = s.holders;
    expect(s.share).toBe(5);
    expect(grantFor(holders, 'b')).toBe(0);
    holders = report(holders, request('a', { seq: 3, limit: 5, inFlight: 8 }), 1);
    expect(grantFor(holders, 'b')).toBe(2);
    holders = report(holders, request('a', { seq: 4, limit: 5, inFlight: 5 }), 2);
    expect(grantFor(holders, 'b')).toBe(5);
    holders = ask(holders, request('b', { seq: 2 })).holders;
    holders = report(holders, request('c'), 3);
    // c waits; a and b are answered their smaller parts, apply them and report.
    expect(['a', 'b', 'c'].map((h) => grantFor(holders, h))).toEqual([4, 3, 0]);
    for (const [h, limit] of [
      ['a', 4],
      ['b', 3],
    ] as const) {
      holders = ask(holders, request(h, { seq: 9, limit: 5, inFlight: 5 })).holders;
      holders = report(holders, request(h, { seq: 10, limit, inFlight: limit }), 4);
    }
    expect(['a', 'b', 'c'].map((h) => grantFor(holders, h))).toEqual([4, 3, 3]);
  });

  it('an idle worker keeps its share while nobody else writes, and yields it to a busy one', () => {
    let holders = ask([], request('a')).holders;
    holders = ask(holders, request('a', { seq: 2, limit: 10, busy: false })).holders;
    expect(grantFor(holders, 'a')).toBe(10);
    holders = report(holders, request('b'), 1);
    expect(grantFor(holders, 'a')).toBe(0);
    holders = ask(holders, request('a', { seq: 3, limit: 10, busy: false })).holders;
    holders = report(holders, request('a', { seq: 4, limit: 0, busy: false }), 2);
    expect(grantFor(holders, 'b')).toBe(10);
  });

  it('holders that disagree on the budget share the lowest', () => {
    const holders = ask([], request('a', { budget: 6 })).holders;
    expect(grantFor(report(holders, request('b', { budget: 10 }), 0), 'b')).toBe(0);
    expect(grantFor(holders, 'a')).toBe(6);
  });

  it('a dead worker (no renewal) is dropped when its lease runs out; one that leaves, at once', () => {
    let holders = ask([], request('a')).holders;
    holders = report(holders, request('b'), 1);
    expect(grantFor(holders, 'b')).toBe(0);
    expect(expire(holders, LEASE).map((h) => h.holder)).toEqual(['b']);
    expect(grantFor(report(holders, request('b', { seq: 2 }), LEASE), 'b')).toBe(10);
    expect(grantFor(release(holders, 'a'), 'b')).toBe(10);
  });

  it('whatever the order of reports, answers, lost answers and deaths, never more than the budget in flight', () => {
    // A seeded walk: each worker keeps one request out (its answer comes at a random later step,
    // computed then, as the entity's long poll does), applies only the answer to its latest request
    // (unless that answer is lost), starts requests up to its applied share and finishes them at random.
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const budget = 7;
    interface Worker {
      name: string;
      applied: number;
      inFlight: number;
      seq: number;
      out?: number;
      dead: boolean;
    }
    const workers: Worker[] = ['a', 'b', 'c', 'd'].map((name) => ({
      name,
      applied: 0,
      inFlight: 0,
      seq: 0,
      dead: false,
    }));
    let holders: ShareHolder[] = [];
    let now = 0;
    let maxInFlight = 0;
    for (let step = 0; step < 20_000; step++) {
      now += 10;
      const w = workers[Math.floor(random() * workers.length)]!;
      const roll = random();
      if (w.dead) {
        if (roll < 0.01) Object.assign(w, { dead: false, applied: 0, inFlight: 0, out: undefined });
        continue;
      }
      if (roll < 0.25) {
        w.seq++;
        w.out = w.seq;
        const req = {
          holder: w.name,
          seq: w.seq,
          budget,
          limit: w.applied,
          inFlight: w.inFlight,
          busy: random() < 0.7,
        };
        holders = report(holders, { ...req, leaseMs: 1000, waitMs: 500 }, now);
      } else if (roll < 0.45 && w.out !== undefined) {
        const h = holders.find((x) => x.holder === w.name);
        if (h && h.seq === w.out) {
          const next = settle(holders, w.name);
          holders = next.holders;
          if (random() > 0.1) w.applied = next.answer.share;
        }
        w.out = undefined;
      } else if (roll < 0.75) {
        if (w.inFlight < w.applied) w.inFlight++;
      } else if (roll < 0.99) {
        if (w.inFlight > 0) w.inFlight--;
      } else {
        // Dies: its requests end with it; the entity only learns through the lease.
        Object.assign(w, { dead: true, inFlight: 0, applied: 0 });
      }
      // Not heard for half its lease, a worker stops using its share (as the process does), and its
      // last requests end before the lease does (Mailchimp answers in well under the other half).
      for (const x of workers) {
        const h = holders.find((y) => y.holder === x.name);
        if (!h || h.expiresAt - 1000 / 2 < now) Object.assign(x, { applied: 0, inFlight: 0 });
      }
      holders = expire(holders, now);
      const total = workers.reduce((sum, x) => sum + x.inFlight, 0);
      maxInFlight = Math.max(maxInFlight, total);
      expect(total).toBeLessThanOrEqual(budget);
      expect(holders.reduce((sum, h) => sum + reserved(h), 0)).toBeLessThanOrEqual(budget);
    }
    expect(maxInFlight).toBe(budget); // the walk did reach the cap: the bound was tested, not idle
  });
});
