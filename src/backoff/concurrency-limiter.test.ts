import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestClock } from '../runtime/clock.js';
import { type ConcurrencyLimiter, createConcurrencyLimiter } from './concurrency-limiter.js';

/** A task that takes `ms` of virtual time and records when it starts and how many run with it. */
function harness(clock: TestClock, limiter: ConcurrencyLimiter) {
  const starts: { id: number; at: number }[] = [];
  let running = 0;
  let mostRunning = 0;
  const task = (id: number, ms: number) => (): Promise<number> => {
    starts.push({ id, at: clock.now() });
    running++;
    mostRunning = Math.max(mostRunning, running);
    expect(limiter.active).toBe(running);
    return new Promise((resolve) =>
      clock.setTimeout(() => {
        running--;
        resolve(id);
      }, ms),
    );
  };
  return { starts, task, mostRunning: () => mostRunning };
}

describe('createConcurrencyLimiter', () => {
  it("runs a task at once while a slot is free, returning the task's own promise", async () => {
    const limiter = createConcurrencyLimiter({ concurrency: 2 });
    const promise = Promise.resolve('done');
    expect(limiter.run(() => promise)).toBe(promise);
    expect(limiter.active).toBe(1);
    await promise;
    expect(limiter.active).toBe(0);
  });

  it('runs at most `concurrency` tasks at once and the rest first come, first served', async () => {
    const clock = new TestClock();
    const limiter = createConcurrencyLimiter({ concurrency: 2 });
    const { starts, task, mostRunning } = harness(clock, limiter);
    const results = [300, 100, 100, 50, 10].map((ms, id) => limiter.run(task(id, ms)));
    expect([limiter.active, limiter.pending]).toEqual([2, 3]);
    await clock.runUntilIdle();
    expect(starts).toEqual([
      { id: 0, at: 0 },
      { id: 1, at: 0 },
      { id: 2, at: 100 },
      { id: 3, at: 200 },
      { id: 4, at: 250 },
    ]);
    expect(mostRunning()).toBe(2);
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect([limiter.active, limiter.pending]).toEqual([0, 0]);
  });

  it('removes a queued task whose signal aborts: it rejects and never runs', async () => {
    const clock = new TestClock();
    const limiter = createConcurrencyLimiter({ concurrency: 1 });
    const { starts, task } = harness(clock, limiter);
    const controller = new AbortController();
    void limiter.run(task(0, 100));
    const aborted = limiter.run(task(1, 100), controller.signal);
    const last = limiter.run(task(2, 100));
    controller.abort(new Error('no longer wanted'));
    await expect(aborted).rejects.toThrow('no longer wanted');
    expect(limiter.pending).toBe(1);
    await clock.runUntilIdle();
    expect(await last).toBe(2);
    expect(starts.map((s) => s.id)).toEqual([0, 2]);
  });

  it('leaves a running task alone when its signal aborts', async () => {
    const clock = new TestClock();
    const limiter = createConcurrencyLimiter({ concurrency: 1 });
    const { task } = harness(clock, limiter);
    const controller = new AbortController();
    const running = limiter.run(task(7, 100), controller.signal);
    controller.abort();
    await clock.runUntilIdle();
    expect(await running).toBe(7);
  });

  it('rejects without running when the signal is already aborted, even with a free slot', async () => {
    const limiter = createConcurrencyLimiter({ concurrency: 1 });
    let ran = false;
    const run = limiter.run(
      async () => {
        ran = true;
      },
      AbortSignal.abort(new Error('too late')),
    );
    await expect(run).rejects.toThrow('too late');
    expect([ran, limiter.active]).toEqual([false, 0]);
  });

  it('frees the slot when a task rejects or throws before returning a promise', async () => {
    const clock = new TestClock();
    const limiter = createConcurrencyLimiter({ concurrency: 1 });
    const { task } = harness(clock, limiter);
    const throws = (): Promise<never> => {
      throw new Error('sync');
    };
    const outcomes = Promise.allSettled([
      limiter.run(task(0, 10)),
      limiter.run(throws),
      limiter.run(() => Promise.reject(new Error('async'))),
      limiter.run(task(3, 10)),
    ]);
    await clock.runUntilIdle();
    expect(await outcomes).toEqual([
      { status: 'fulfilled', value: 0 },
      { status: 'rejected', reason: new Error('sync') },
      { status: 'rejected', reason: new Error('async') },
      { status: 'fulfilled', value: 3 },
    ]);
    await expect(limiter.run(throws)).rejects.toThrow('sync');
    expect(limiter.active).toBe(0);
  });

  it('resolves idle() once nothing runs and nothing waits', async () => {
    const clock = new TestClock();
    const limiter = createConcurrencyLimiter({ concurrency: 2 });
    const { task } = harness(clock, limiter);
    await limiter.idle();
    for (let id = 0; id < 5; id++) void limiter.run(task(id, 100));
    let idleAt: number | undefined;
    void limiter.idle().then(() => {
      idleAt = clock.now();
    });
    await clock.runUntilIdle();
    expect(idleAt).toBe(300);
  });

  it('resolves idle() when the last waiting task is aborted', async () => {
    const limiter = createConcurrencyLimiter({ concurrency: 1 });
    let finish = () => {};
    void limiter.run(() => new Promise<void>((resolve) => (finish = resolve)));
    const controller = new AbortController();
    limiter.run(async () => {}, controller.signal).catch(() => {});
    let idle = false;
    void limiter.idle().then(() => (idle = true));
    controller.abort();
    finish();
    await limiter.idle();
    expect([idle, limiter.active, limiter.pending]).toEqual([true, 0, 0]);
  });

  it('works through a long queue in order, even when every task throws at once', async () => {
    const limiter = createConcurrencyLimiter({ concurrency: 1 });
    let release = () => {};
    void limiter.run(() => new Promise<void>((resolve) => (release = resolve)));
    const order: number[] = [];
    const runs = Array.from({ length: 100_000 }, (_, id) =>
      limiter.run(() => {
        order.push(id);
        throw new Error(`task ${id}`);
      }),
    );
    expect(limiter.pending).toBe(100_000);
    release();
    const settled = await Promise.allSettled(runs);
    expect(settled.every((r) => r.status === 'rejected')).toBe(true);
    expect(order.length).toBe(100_000);
    expect(order.every((id, i) => id === i)).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN, Infinity, '2', undefined])(
    'rejects a concurrency of %s with a TypeError naming the option, the value and what is allowed',
    (concurrency) => {
      const create = () => createConcurrencyLimiter({ concurrency: concurrency as number });
      expect(create).toThrow(TypeError);
      expect(create).toThrow(
        `Expected \`concurrency\` to be an integer from 1 and up, got \`${String(concurrency)}\` (${typeof concurrency})`,
      );
    },
  );

  it('matches a first-come-first-served model of `concurrency` servers at every start', async () => {
    const job = fc.record({
      gap: fc.oneof(fc.constant(0), fc.nat(100)),
      ms: fc.oneof(fc.constant(0), fc.nat(300)),
    });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 5 }), fc.array(job, { maxLength: 20 }), async (n, jobs) => {
        const clock = new TestClock({ settleTurns: 1 });
        const limiter = createConcurrencyLimiter({ concurrency: n });
        const { starts, task, mostRunning } = harness(clock, limiter);
        // The model: each job, in arrival order, takes the slot that frees up first.
        const free: number[] = Array.from({ length: n }, () => 0);
        const expected: { id: number; at: number }[] = [];
        let arrival = 0;
        for (const [id, { gap, ms }] of jobs.entries()) {
          arrival += gap;
          clock.setTimeout(() => void limiter.run(task(id, ms)), arrival);
          const slot = free.indexOf(Math.min(...free));
          const at = Math.max(arrival, free[slot]!);
          free[slot] = at + ms;
          expected.push({ id, at });
        }
        await clock.runUntilIdle();
        expect(starts).toEqual(expected);
        expect(mostRunning()).toBeLessThanOrEqual(n);
        expect([limiter.active, limiter.pending]).toEqual([0, 0]);
      }),
      { numRuns: 1000 },
    );
  });

  it('never runs more than `concurrency` at once, nor an aborted queued task, with random aborts', async () => {
    const job = fc.record({
      gap: fc.nat(50),
      ms: fc.nat(200),
      abortAfter: fc.option(fc.nat(300), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(job, { maxLength: 20 }), async (n, jobs) => {
        const clock = new TestClock({ settleTurns: 1 });
        const limiter = createConcurrencyLimiter({ concurrency: n });
        const { starts, task, mostRunning } = harness(clock, limiter);
        const outcome: string[] = [];
        let arrival = 0;
        for (const [id, { gap, ms, abortAfter }] of jobs.entries()) {
          arrival += gap;
          clock.setTimeout(() => {
            const controller = new AbortController();
            if (abortAfter !== undefined) clock.setTimeout(() => controller.abort(), abortAfter);
            limiter.run(task(id, ms), controller.signal).then(
              () => (outcome[id] = 'ran'),
              () => (outcome[id] = 'aborted'),
            );
          }, arrival);
        }
        await clock.runUntilIdle();
        const started = starts.map((s) => s.id);
        expect(started).toEqual([...started].sort((a, b) => a - b));
        expect(mostRunning()).toBeLessThanOrEqual(n);
        for (const [id] of jobs.entries()) {
          expect(outcome[id]).toBe(started.includes(id) ? 'ran' : 'aborted');
        }
        expect([limiter.active, limiter.pending]).toEqual([0, 0]);
      }),
      { numRuns: 1000 },
    );
  });
});
