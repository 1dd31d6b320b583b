import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memorySetup, res } from '../../test/helpers/memory-setup.js';
import { PermanentError, RetryableError } from '../contract/errors.js';
import { seededRandom } from '../time/random.js';
import { TestClock } from '../time/test-clock.js';
import { memoryProvider } from './memory.js';
import { compileFaults, type FaultOutcome, INVALID_VALUE, pickFault } from './memory-faults.js';

const setup = memorySetup;

describe('memory provider', () => {
  it('creates, observes, updates and deletes objects in its store', async () => {
    const { provider, ctx } = setup();
    expect(await provider.observe(res('a'), ctx)).toBeUndefined();
    await provider.create(res('a', { size: 1, tags: ['x'] }), ctx);
    expect(await provider.observe(res('a'), ctx)).toEqual({ size: 1, tags: ['x'] });
    await provider.update(res('a', { size: 2 }), { size: 1 }, [], ctx);
    expect(provider.store.get('a')).toEqual({ size: 2 });
    await provider.delete({ size: 2 }, res('a'), ctx);
    expect(provider.store.has('a')).toBe(false);
    expect(provider.calls).toEqual({ observe: 2, create: 1, update: 1, delete: 1, list: 0, restart: 0 });
  });

  it('returns the stored object itself from observe, deeply frozen and detached from the desired spec', async () => {
    const { provider, ctx } = setup();
    const spec = { nested: { n: 1 }, list: [{ k: 'v' }] };
    await provider.create(res('a', spec), ctx);
    spec.nested.n = 99;
    const first = await provider.observe(res('a'), ctx);
    expect(await provider.observe(res('a'), ctx)).toBe(first);
    expect(first).toEqual({ nested: { n: 1 }, list: [{ k: 'v' }] });
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen((first as { nested: object }).nested)).toBe(true);
    expect(Object.isFrozen((first as { list: object[] }).list[0])).toBe(true);
  });

  it('throws a plain Error on a create of an existing key and changes nothing', async () => {
    const { provider, ctx } = setup({ initial: { a: { size: 1 } } });
    const error = await provider.create(res('a', { size: 2 }), ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(PermanentError.is(error) || RetryableError.is(error)).toBe(false);
    expect((error as Error).message).toMatch(/create of an existing key/);
    expect(provider.store.get('a')).toEqual({ size: 1 });
  });

  it('fails an update or restart of a missing key, and deletes a missing key without complaint', async () => {
    const { provider, ctx } = setup();
    await expect(provider.update(res('a', {}), {}, [], ctx)).rejects.toThrow(/no such object/);
    await expect(provider.restart({}, res('a'), ctx)).rejects.toThrow(/no such object/);
    await expect(provider.delete({}, res('a'), ctx)).resolves.toBeUndefined();
  });

  it('agrees with a plain Map for any sequence of operations', async () => {
    const name = fc.constantFrom('a', 'b', 'c');
    const op = fc.oneof(
      fc.record({ op: fc.constant('create' as const), name, v: fc.integer() }),
      fc.record({ op: fc.constant('update' as const), name, v: fc.integer() }),
      fc.record({ op: fc.constant('delete' as const), name }),
      fc.record({ op: fc.constant('put' as const), name, v: fc.integer() }),
      fc.record({ op: fc.constant('remove' as const), name }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
        const { provider, ctx } = setup();
        const model = new Map<string, { v: number }>();
        for (const o of ops) {
          const exists = model.has(o.name);
          const v = 'v' in o ? o.v : 0;
          const outcome = await (async () => {
            if (o.op === 'create') return provider.create(res(o.name, { v }), ctx);
            if (o.op === 'update') return provider.update(res(o.name, { v }), {}, [], ctx);
            if (o.op === 'delete') return provider.delete({}, res(o.name), ctx);
            if (o.op === 'put') return provider.put(o.name, { v });
            return provider.remove(o.name);
          })().then(
            () => 'ok',
            () => 'error',
          );
          const expected = (o.op === 'create' && exists) || (o.op === 'update' && !exists) ? 'error' : 'ok';
          expect(outcome).toBe(expected);
          if (expected === 'ok' && o.op !== 'delete' && o.op !== 'remove') model.set(o.name, { v });
          if (o.op === 'delete' || o.op === 'remove') model.delete(o.name);
        }
        expect(await provider.list(ctx)).toEqual(model);
        for (const n of ['a', 'b', 'c']) expect(await provider.observe(res(n), ctx)).toEqual(model.get(n));
      }),
      { numRuns: 1000 },
    );
  });

  it('throws the error each rate of 1 asks for, and the faulted call changes nothing', async () => {
    const cases: [Record<string, number>, (e: unknown) => boolean][] = [
      [{ failRate: 1 }, (e) => e instanceof Error && !RetryableError.is(e) && !PermanentError.is(e)],
      [{ permanentRate: 1 }, (e) => PermanentError.is(e)],
      [{ retryAfterRate: 1, retryAfterMs: 4000 }, (e) => RetryableError.is(e) && e.retryAfterMs === 4000],
    ];
    for (const [faults, check] of cases) {
      const { provider, ctx } = setup({ faults });
      const error = await provider.create(res('a', { v: 1 }), ctx).catch((e: unknown) => e);
      expect(check(error), JSON.stringify(faults)).toBe(true);
      expect(provider.store.size).toBe(0);
    }
  });

  it('resolves with the documented invalid value on an injected crash', async () => {
    const { provider, ctx } = setup({ initial: { a: { v: 1 } }, faults: { crashRate: 1 } });
    expect(await provider.observe(res('a'), ctx)).toBe(INVALID_VALUE);
    expect(typeof INVALID_VALUE).toBe('string');
    expect(await provider.list(ctx)).not.toBeInstanceOf(Map);
    expect(await provider.update(res('a', { v: 2 }), {}, [], ctx)).toBe(INVALID_VALUE);
    expect(provider.store.get('a')).toEqual({ v: 1 });
  });

  it('hangs a call until the signal aborts, then rejects with the abort reason', async () => {
    const { provider, ctx, controller, clock } = setup({ faults: { hangRate: 1 } });
    let settled = false;
    const pending = provider.observe(res('a'), ctx).finally(() => {
      settled = true;
    });
    pending.catch(() => {});
    await clock.advance(3_600_000);
    expect(settled).toBe(false);
    expect(provider.inFlight('a')).toBe(1);
    const reason = new Error('operation timeout');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(provider.inFlight('a')).toBe(0);
  });

  it('waits its latency on the clock, and an abort cancels the wait and its timer', async () => {
    const { provider, ctx, controller, clock } = setup({ faults: { latencyMs: 500 }, initial: { a: {} } });
    let done = false;
    const first = provider.observe(res('a'), ctx).then(() => {
      done = true;
    });
    await clock.advance(499);
    expect(done).toBe(false);
    await clock.advance(1);
    await first;
    expect(done).toBe(true);

    const second = provider.observe(res('a'), ctx);
    second.catch(() => {});
    expect(clock.pending()).toBe(1);
    controller.abort(new Error('shutdown'));
    await expect(second).rejects.toThrow('shutdown');
    expect(clock.pending()).toBe(0);
  });

  it('draws a latency range within its bounds', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.nat(),
        async (a, b, seed) => {
          const [min, max] = a <= b ? [a, b] : [b, a];
          const { provider, ctx, clock } = setup({
            random: seededRandom(seed),
            faults: { latencyMs: [min, max] },
          });
          let at: number | undefined;
          const call = provider.list(ctx).then(() => {
            at = clock.now();
          });
          await clock.runUntilIdle();
          await call;
          expect(at).toBeGreaterThanOrEqual(min);
          expect(at).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('fails every call inside an outage window and none outside it', async () => {
    const { provider, ctx, clock } = setup({ faults: { outage: [{ from: 1000, until: 2000 }] } });
    await expect(provider.create(res('a'), ctx)).resolves.toBeDefined();
    await clock.advance(1000);
    await expect(provider.observe(res('a'), ctx)).rejects.toThrow(/outage from 1000 to 2000/);
    await clock.advance(999);
    await expect(provider.list(ctx)).rejects.toThrow(/outage/);
    await clock.advance(1);
    await expect(provider.observe(res('a'), ctx)).resolves.toEqual({});
  });

  it('applies faults only to the listed operations, and setFaults changes them at run time', async () => {
    const { provider, ctx } = setup({ faults: { failRate: 1, operations: ['create'] } });
    await expect(provider.create(res('a'), ctx)).rejects.toThrow(/injected fault/);
    provider.put('a', {});
    await expect(provider.observe(res('a'), ctx)).resolves.toEqual({});
    await expect(provider.update(res('a', { v: 1 }), {}, [], ctx)).resolves.toEqual({ v: 1 });
    provider.setFaults({ failRate: 1 });
    await expect(provider.observe(res('a'), ctx)).rejects.toThrow(/injected fault/);
    provider.setFaults(undefined);
    await expect(provider.observe(res('a'), ctx)).resolves.toEqual({ v: 1 });
  });

  it('fails about the configured share of calls, the same calls for the same seed', async () => {
    const run = async (seed: number) => {
      const { provider, ctx } = setup({
        random: seededRandom(seed),
        faults: { failRate: 0.3 },
        initial: { a: {} },
      });
      const outcomes: boolean[] = [];
      for (let i = 0; i < 10_000; i++) {
        outcomes.push(
          await provider.observe(res('a'), ctx).then(
            () => true,
            () => false,
          ),
        );
      }
      return outcomes;
    };
    const first = await run(42);
    const failed = first.filter((ok) => !ok).length / first.length;
    expect(failed).toBeGreaterThan(0.28);
    expect(failed).toBeLessThan(0.32);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
  });

  it('picks the first fault whose cumulative rate exceeds the draw', () => {
    const rate = fc.double({ min: 0, max: 0.2, noNaN: true });
    fc.assert(
      fc.property(
        fc.tuple(rate, rate, rate, rate, rate),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (rates, u) => {
          const [failRate, hangRate, retryAfterRate, permanentRate, crashRate] = rates;
          const compiled = compileFaults({ failRate, hangRate, retryAfterRate, permanentRate, crashRate });
          const names: FaultOutcome[] = ['fail', 'hang', 'retryAfter', 'permanent', 'crash'];
          let acc = 0;
          let expected: FaultOutcome = 'ok';
          for (let i = 0; i < 5; i++) {
            acc += rates[i]!;
            if (u < acc) {
              expected = names[i]!;
              break;
            }
          }
          expect(pickFault(compiled, u)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('reports healthy: false as unhealthy until a restart, which it counts', async () => {
    const { provider, ctx } = setup({ initial: { a: { v: 1 } } });
    provider.mutate('a', (spec) => ({ ...spec, healthy: false }));
    expect(provider.health(provider.store.get('a')!)).toBe('unhealthy');
    await provider.update(res('a', { v: 2 }), {}, [], ctx);
    expect(provider.store.get('a')).toEqual({ v: 2, healthy: false });
    await provider.restart({}, res('a'), ctx);
    expect(provider.store.get('a')).toEqual({ v: 2 });
    expect(provider.health(provider.store.get('a')!)).toBe('healthy');
    expect(provider.health({ healthy: 'progressing' })).toBe('progressing');
    expect(provider.restarts).toBe(1);
    expect(provider.compare?.ignore).toEqual(['healthy']);
  });

  it('counts calls in flight per name and notices overlapping calls for one name', async () => {
    const { provider, ctx, clock } = setup({ faults: { latencyMs: 100 }, initial: { a: {}, b: {} } });
    const calls: Promise<unknown>[] = [provider.observe(res('a'), ctx), provider.observe(res('b'), ctx)];
    expect([provider.inFlight('a'), provider.inFlight('b'), provider.inFlight()]).toEqual([1, 1, 2]);
    expect(provider.overlaps).toBe(0);
    calls.push(provider.update(res('a', { v: 1 }), {}, [], ctx));
    expect(provider.overlaps).toBe(1);
    await clock.advance(100);
    await Promise.all(calls);
    expect(provider.inFlight()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const { provider, ctx, controller } = setup({ initial: { a: {} } });
    controller.abort(new Error('gone'));
    await expect(provider.observe(res('a'), ctx)).rejects.toThrow('gone');
    await expect(provider.create(res('b'), ctx)).rejects.toThrow('gone');
    expect(provider.store.has('b')).toBe(false);
  });

  it('rejects bad options with a TypeError naming the option', () => {
    const clock = new TestClock();
    const random = seededRandom(1);
    expect(() => memoryProvider({ kind: '', clock, random })).toThrow(/`options.kind`/);
    expect(() => memoryProvider({ kind: 'x', clock, random, faults: { failRate: 2 } })).toThrow(
      /`options.faults.failRate` to be a number from 0 to 1.*got `2` \(number\)/,
    );
    expect(() =>
      memoryProvider({ kind: 'x', clock, random, faults: { failRate: 0.6, hangRate: 0.6 } }),
    ).toThrow(/add up to at most 1/);
    expect(() => memoryProvider({ kind: 'x', clock, random, faults: { latencyMs: [5, 1] } })).toThrow(
      /`options.faults.latencyMs`/,
    );
    expect(() =>
      memoryProvider({ kind: 'x', clock, random, faults: { operations: ['observe', 'explode'] as never } }),
    ).toThrow(/`options.faults.operations`/);
    expect(() => memoryProvider({ kind: 'x', clock, random, faults: { failrate: 0.1 } as never })).toThrow(
      /Unknown option `options.faults.failrate`/,
    );
  });
});
