import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TimeoutError } from '../contract/errors.js';
import type { ProviderContext } from '../contract/provider.js';
import { TestClock } from '../time/test-clock.js';
import { type OperationClient, OperationQueue } from './operation-queue.js';

const silent = pino({ level: 'silent' });

/** A client that records how its operations ended, in order. */
function recorder() {
  const outcomes: string[] = [];
  const client = (label: string): OperationClient => ({
    log: () => silent,
    settled: (failed, result) =>
      outcomes.push(`${label} ${failed ? `failed: ${(result as Error).name}` : `ok: ${String(result)}`}`),
  });
  return { outcomes, client };
}

/** Work that finishes after `ms` on the clock, ignoring its signal if `deaf`. */
function finishAfter(clock: TestClock, ms: number, value: string, log?: string[], deaf = false) {
  return (_c: OperationClient, ctx: ProviderContext) =>
    new Promise<string>((resolve, reject) => {
      log?.push(`start ${value} at ${clock.now()}`);
      const t = clock.setTimeout(() => {
        log?.push(`end ${value} at ${clock.now()}`);
        resolve(value);
      }, ms);
      if (!deaf) {
        ctx.signal.addEventListener('abort', () => {
          clock.clearTimeout(t);
          reject(ctx.signal.reason);
        });
      }
    });
}

describe('OperationQueue', () => {
  it('runs one operation per key at a time, in order, and different keys side by side', async () => {
    const clock = new TestClock();
    const q = new OperationQueue({ clock, timeoutMs: 10_000, concurrency: 10 });
    const { outcomes, client } = recorder();
    const log: string[] = [];
    q.submit('a', 'observe', client('a1'), finishAfter(clock, 100, 'a1', log));
    q.submit('a', 'update', client('a2'), finishAfter(clock, 100, 'a2', log));
    q.submit('b', 'observe', client('b1'), finishAfter(clock, 100, 'b1', log));
    await clock.advance(300);
    expect([...log].sort()).toEqual([
      'end a1 at 100',
      'end a2 at 200',
      'end b1 at 100',
      'start a1 at 0',
      'start a2 at 100',
      'start b1 at 0',
    ]);
    expect(log.indexOf('start a2 at 100')).toBeGreaterThan(log.indexOf('end a1 at 100'));
    expect([...outcomes].sort()).toEqual(['a1 ok: a1', 'a2 ok: a2', 'b1 ok: b1']);
  });

  it('times out an operation that ignores its signal, but keeps its key until the provider is done', async () => {
    const clock = new TestClock();
    const q = new OperationQueue({ clock, timeoutMs: 1000, concurrency: 10 });
    const { outcomes, client } = recorder();
    const log: string[] = [];
    q.submit('a', 'observe', client('hung'), finishAfter(clock, 5000, 'hung', log, true));
    q.submit('a', 'observe', client('next'), finishAfter(clock, 10, 'next', log));
    await clock.advance(1000);
    expect(outcomes).toEqual(['hung failed: TimeoutError']);
    expect(q.active).toBe(0); // the slot is free
    await clock.advance(5000);
    expect(log).toEqual(['start hung at 0', 'end hung at 5000', 'start next at 5000', 'end next at 5010']);
    expect(outcomes).toEqual(['hung failed: TimeoutError', 'next ok: next']);
  });

  it('aborts the signal of an operation that times out', async () => {
    const clock = new TestClock();
    const q = new OperationQueue({ clock, timeoutMs: 500, concurrency: 1 });
    const { outcomes, client } = recorder();
    let reason: unknown;
    q.submit('a', 'observe', client('a'), (_c, ctx) => {
      ctx.signal.addEventListener('abort', () => {
        reason = ctx.signal.reason;
      });
      return new Promise(() => {});
    });
    await clock.advance(500);
    expect(reason).toBeInstanceOf(TimeoutError);
    expect(outcomes).toEqual(['a failed: TimeoutError']);
  });

  it('never runs more than `concurrency` at once, and starts waiting ones first come, first served', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 50 })), {
          minLength: 1,
          maxLength: 30,
        }),
        async (concurrency, ops) => {
          const clock = new TestClock();
          const q = new OperationQueue({ clock, timeoutMs: 100_000, concurrency });
          let running = 0;
          let peak = 0;
          const perKey = new Map<number, number>();
          const starts: number[] = [];
          let settled = 0;
          ops.forEach(([key, ms], i) => {
            q.submit(`k${key}`, 'op', { log: () => silent, settled: () => settled++ }, () => {
              running++;
              peak = Math.max(peak, running);
              perKey.set(key, (perKey.get(key) ?? 0) + 1);
              expect(perKey.get(key)).toBe(1);
              starts.push(i);
              return new Promise<void>((resolve) =>
                clock.setTimeout(() => {
                  running--;
                  perKey.set(key, perKey.get(key)! - 1);
                  resolve();
                }, ms),
              );
            });
          });
          await clock.advance(100_000);
          expect(settled).toBe(ops.length);
          expect(peak).toBeLessThanOrEqual(concurrency);
          // Operations on one key start in the order they were submitted.
          for (let k = 0; k <= 5; k++) {
            const mine = starts.filter((i) => ops[i]![0] === k);
            expect(mine).toEqual([...mine].sort((x, y) => x - y));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('starts nothing while paused, then everything that waited', async () => {
    const clock = new TestClock();
    const q = new OperationQueue({ clock, timeoutMs: 10_000, concurrency: 5 });
    const { outcomes, client } = recorder();
    const log: string[] = [];
    q.pause(2000);
    q.submit('a', 'observe', client('a'), finishAfter(clock, 0, 'a', log));
    q.submit('b', 'observe', client('b'), finishAfter(clock, 0, 'b', log));
    await clock.advance(1999);
    expect(log).toEqual([]);
    await clock.advance(1);
    expect(log).toEqual(['start a at 2000', 'start b at 2000', 'end a at 2000', 'end b at 2000']);
    expect(outcomes).toEqual(['a ok: a', 'b ok: b']);
  });

  it('fails everything running or waiting when closed, and everything submitted after', async () => {
    const clock = new TestClock();
    const q = new OperationQueue({ clock, timeoutMs: 10_000, concurrency: 1 });
    const { outcomes, client } = recorder();
    q.submit('a', 'observe', client('running'), finishAfter(clock, 1000, 'running'));
    q.submit('b', 'observe', client('queued'), finishAfter(clock, 1000, 'queued'));
    q.submit('a', 'update', client('behind-a'), finishAfter(clock, 1000, 'behind-a'));
    q.close(new Error('shutting down'));
    q.submit('c', 'observe', client('late'), finishAfter(clock, 1000, 'late'));
    await clock.advance(0);
    expect([...outcomes].sort()).toEqual([
      'behind-a failed: Error',
      'late failed: Error',
      'queued failed: Error',
      'running failed: Error',
    ]);
    await clock.advance(5000);
    expect(outcomes).toHaveLength(4);
  });

  it('reports a provider that throws instead of rejecting as a failure, asynchronously', async () => {
    const clock = new TestClock();
    const q = new OperationQueue({ clock, timeoutMs: 10_000, concurrency: 1 });
    const { outcomes, client } = recorder();
    q.submit('a', 'observe', client('a'), () => {
      throw new RangeError('bad');
    });
    expect(outcomes).toEqual([]);
    await clock.advance(0);
    expect(outcomes).toEqual(['a failed: RangeError']);
    q.submit('a', 'observe', client('again'), async () => 'fine');
    await clock.advance(0);
    expect(outcomes).toEqual(['a failed: RangeError', 'again ok: fine']);
  });
});
