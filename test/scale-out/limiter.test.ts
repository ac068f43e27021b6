import { describe, expect, it } from '@jest/globals';
import { createLimiter, type Limiter } from '../../src/shared/concurrency.js';

/** A task that runs until `finish()` is called, so a test decides what is in flight. */
function gated(limiter: Limiter) {
  let finish!: () => void;
  let started = false;
  const done = limiter.run(async () => {
    started = true;
    await new Promise<void>((resolve) => (finish = resolve));
    return 'done';
  });
  return { done, started: () => started, finish: () => finish() };
}

const settle = () => new Promise((r) => setTimeout(r, 10));

describe('createLimiter resized at run time (a share of a budget held by several processes)', () => {
  it('a share of 0 holds new tasks and lets running ones finish; a share above 0 releases them', async () => {
    const limiter = createLimiter(4);
    const running = gated(limiter);
    await settle();
    limiter.resize(0);
    const held = gated(limiter);
    await settle();
    expect({ limit: limiter.limit, inFlight: limiter.inFlight, waiting: limiter.waiting }).toEqual({
      limit: 0,
      inFlight: 1,
      waiting: 1,
    });
    expect(held.started()).toBe(false);
    running.finish();
    await running.done;
    await settle();
    expect(held.started()).toBe(false);
    limiter.resize(2);
    await settle();
    expect(held.started()).toBe(true);
    held.finish();
    expect(await held.done).toBe('done');
  });

  it('never runs more than the share, nor more than the ceiling however large the share', async () => {
    const limiter = createLimiter(3);
    limiter.resize(2);
    const tasks = Array.from({ length: 5 }, () => gated(limiter));
    await settle();
    expect(tasks.filter((t) => t.started()).length).toBe(2);
    limiter.resize(10);
    await settle();
    expect(limiter.limit).toBe(3);
    expect(tasks.filter((t) => t.started()).length).toBe(3);
    limiter.lowerTo(1);
    expect(limiter.limit).toBe(1);
    let finished = 0;
    while (finished < tasks.length) {
      for (const t of tasks.filter((x) => x.started())) t.finish();
      await settle();
      finished = tasks.filter((t) => t.started()).length;
    }
    for (const t of tasks) t.finish();
    await Promise.all(tasks.map((t) => t.done));
    expect(limiter.submitted).toBe(5);
  });

  it('refuse fails the waiting tasks and later ones until the next share', async () => {
    const limiter = createLimiter(2);
    limiter.resize(0);
    const waiting = limiter.run(async () => 'ran');
    await settle();
    limiter.refuse(new Error('no share'));
    await expect(waiting).rejects.toThrow('no share');
    await expect(limiter.run(async () => 'ran')).rejects.toThrow('no share');
    limiter.resize(1);
    await expect(limiter.run(async () => 'ran')).resolves.toBe('ran');
  });

  it('whenBusy settles at the next task, or at once while tasks run or wait', async () => {
    const limiter = createLimiter(1);
    let busy = false;
    const woke = limiter.whenBusy().then(() => (busy = true));
    await settle();
    expect(busy).toBe(false);
    limiter.resize(0);
    const held = limiter.run(async () => 'ran');
    await woke;
    await expect(Promise.race([limiter.whenBusy().then(() => 'at once'), settle()])).resolves.toBe('at once');
    limiter.resize(1);
    await expect(held).resolves.toBe('ran');
  });
});
