import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { ProviderContext } from '../contract/provider.js';
import { TestClock } from '../time/test-clock.js';
import { type OperationClient, OperationQueue } from './operation-queue.js';

const silent = pino({ level: 'silent' });

/**
 * Zombies: provider calls that ignore their signal and keep running past their timeout (or the
 * shutdown). Whatever happens around them — a timeout, a shutdown, a new client for the same key
 * (an actor that crashed and was restarted) — no other operation on that key may start until
 * the zombie's own promise settles.
 */

type Behaviour = 'honest' | 'zombie' | 'zombie-rejects' | 'throws';

/** Counts work running per key, from the call until its promise settles. */
function tracker(clock: TestClock) {
  const running = new Map<string, number>();
  let worst = 0;
  let startedAfterClose = 0;
  let closed = false;
  const work =
    (key: string, behaviour: Behaviour, ms: number) =>
    (_c: OperationClient, ctx: ProviderContext): Promise<string> => {
      if (closed) startedAfterClose++;
      if (behaviour === 'throws') throw new Error('sync');
      const n = (running.get(key) ?? 0) + 1;
      running.set(key, n);
      worst = Math.max(worst, n);
      return new Promise<string>((resolve, reject) => {
        const end = (settle: () => void) => {
          running.set(key, running.get(key)! - 1);
          settle();
        };
        const timer = clock.setTimeout(
          () => end(() => (behaviour === 'zombie-rejects' ? reject(new Error('late')) : resolve('late'))),
          ms,
        );
        if (behaviour === 'honest') {
          ctx.signal.addEventListener(
            'abort',
            () => {
              clock.clearTimeout(timer);
              end(() => reject(ctx.signal.reason));
            },
            { once: true },
          );
        }
      });
    };
  return {
    work,
    close: () => {
      closed = true;
    },
    get worst() {
      return worst;
    },
    get startedAfterClose() {
      return startedAfterClose;
    },
  };
}

describe('OperationQueue with zombie calls', () => {
  it('makes a new client for the key (a restarted actor) wait until the zombie really ends', async () => {
    const clock = new TestClock();
    const q = new OperationQueue({ clock, timeoutMs: 1000, concurrency: 10 });
    const t = tracker(clock);
    const heard: string[] = [];
    const restarted: OperationClient = { log: () => silent, settled: (f) => heard.push(`new ${f}`) };
    const crashed: OperationClient = {
      log: () => silent,
      // The old actor hears its timeout and is gone; its successor observes the same key.
      settled: (failed) => {
        heard.push(`old ${failed} at ${clock.now()}`);
        q.submit('k', 'observe', restarted, t.work('k', 'honest', 10));
      },
    };
    q.submit('k', 'update', crashed, t.work('k', 'zombie', 5000));
    await clock.advance(1000);
    expect(heard).toEqual(['old true at 1000']);
    await clock.advance(3999);
    expect(heard).toEqual(['old true at 1000']); // the new observe has not started
    await clock.advance(11);
    expect(heard).toEqual(['old true at 1000', 'new false']);
    expect(t.worst).toBe(1);
  });

  it('starts nothing more after a shutdown, while the zombie still holds its key', async () => {
    const clock = new TestClock();
    const q = new OperationQueue({ clock, timeoutMs: 10_000, concurrency: 10 });
    const t = tracker(clock);
    const heard: string[] = [];
    const client = (label: string): OperationClient => ({
      log: () => silent,
      settled: (failed) => heard.push(`${label} ${failed ? 'failed' : 'ok'} at ${clock.now()}`),
    });
    q.submit('k', 'update', client('zombie'), t.work('k', 'zombie', 5000));
    q.submit('k', 'observe', client('behind'), t.work('k', 'honest', 10));
    await clock.advance(100);
    q.close(new Error('shutting down'));
    t.close();
    q.submit('k', 'observe', client('late'), t.work('k', 'honest', 10));
    await clock.advance(10_000);
    expect(heard).toEqual(['zombie failed at 100', 'behind failed at 100', 'late failed at 100']);
    expect(t.startedAfterClose).toBe(0);
    expect(t.worst).toBe(1);
  });

  it('never runs two calls on one key, whatever times out, shuts down or resubmits', async () => {
    const behaviour = fc.constantFrom<Behaviour>('honest', 'zombie', 'zombie-rejects', 'throws');
    const op = fc.record({
      at: fc.integer({ min: 0, max: 400 }),
      key: fc.integer({ min: 0, max: 2 }),
      behaviour,
      ms: fc.integer({ min: 0, max: 500 }),
      urgent: fc.boolean(),
      // Heard its outcome: submit again for the key, as a new client (an actor restarted).
      resubmit: fc.option(fc.tuple(behaviour, fc.integer({ min: 0, max: 500 })), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.array(op, { minLength: 1, maxLength: 25 }),
        fc.option(fc.integer({ min: 0, max: 1500 }), { nil: undefined }),
        async (concurrency, limited, ops, closeAt) => {
          const clock = new TestClock();
          const q = new OperationQueue({
            clock,
            timeoutMs: 100,
            concurrency,
            ...(limited ? { rateLimit: { ratePerSec: 50, burst: 2 } } : {}),
          });
          const t = tracker(clock);
          let submitted = 0;
          let settled = 0;
          const submit = (o: (typeof ops)[number], again: boolean) => {
            submitted++;
            const key = `k${o.key}`;
            const client: OperationClient = {
              log: () => silent,
              settled: () => {
                settled++;
                if (!again && o.resubmit) {
                  const [b, ms] = o.resubmit;
                  submit({ ...o, behaviour: b, ms, resubmit: undefined }, true);
                }
              },
            };
            q.submit(key, 'op', client, t.work(key, o.behaviour, o.ms), o.urgent);
          };
          for (const o of ops) clock.setTimeout(() => submit(o, false), o.at);
          if (closeAt !== undefined) {
            clock.setTimeout(() => {
              q.close(new Error('shutting down'));
              t.close();
            }, closeAt);
          }
          await clock.advance(20_000);
          expect(t.worst).toBeLessThanOrEqual(1);
          expect(t.startedAfterClose).toBe(0);
          expect(settled).toBe(submitted); // every client heard once
        },
      ),
      { numRuns: 300 },
    );
  });
});
