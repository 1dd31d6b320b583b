import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../src/contract/resource.js';
import { memoryProvider } from '../src/providers/memory.js';
import { createRuntime } from '../src/runtime/index.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';

const app = (name: string, spec: Record<string, unknown>): Resource => ({ kind: 'app', name, spec });

async function stopRuntime(rt: { stop(): Promise<void> }, clock: TestClock) {
  const stopped = rt.stop();
  await clock.advance(60_000);
  await stopped;
}

describe('convergence', () => {
  it('converges 1,000 resources within 30 s of virtual time with 10 % of calls failing', async () => {
    const clock = new TestClock();
    const provider = memoryProvider({
      kind: 'app',
      clock,
      random: seededRandom(7),
      faults: { failRate: 0.1 },
    });
    const rt = createRuntime({ providers: [provider], clock, random: seededRandom(8) });
    const synced = new Set<string>();
    rt.on('resource:synced', (e) => synced.add(e.key));
    await rt.start();
    const desired = Array.from({ length: 1000 }, (_, i) =>
      app(`a${i}`, { replicas: i % 3, image: `img:${i}` }),
    );
    rt.setDesired(desired);
    await clock.advance(30_000);
    expect(provider.store.size).toBe(1000);
    for (const r of desired) expect(provider.store.get(r.name)).toMatchObject(r.spec);
    // every resource was Ready at least once (a later tick's observe may fail: 10 % do)
    expect(synced.size).toBe(1000);
    expect(provider.overlaps).toBe(0);
    await stopRuntime(rt, clock);
  });

  it('reaches the last desired set once faults stop, for any desired sets, faults and changes', async () => {
    const spec = fc.record({ v: fc.integer({ min: 0, max: 3 }), tag: fc.constantFrom('a', 'b') });
    const desiredSet = fc.dictionary(fc.constantFrom('r0', 'r1', 'r2', 'r3', 'r4', 'r5'), spec, {
      maxKeys: 6,
    });
    const faults = fc.record({
      failRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
      hangRate: fc.double({ min: 0, max: 0.1, noNaN: true }),
      retryAfterRate: fc.double({ min: 0, max: 0.1, noNaN: true }),
      latencyMs: fc.integer({ min: 0, max: 2000 }),
    });
    const step = fc.record({ desired: desiredSet, afterMs: fc.integer({ min: 0, max: 20_000 }) });

    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 5 }),
        faults,
        fc.integer(),
        async (steps, f, seed) => {
          const clock = new TestClock();
          const provider = memoryProvider({
            kind: 'app',
            clock,
            random: seededRandom(seed),
            faults: { ...f, retryAfterMs: 5000 },
          });
          const rt = createRuntime({
            providers: [provider],
            clock,
            random: seededRandom(seed + 1),
            interval: 10_000,
            timeout: 3000,
            backoff: { baseMs: 100, capMs: 5000 },
            allowEmpty: true,
            // The property is about convergence: a shrinking set deletes all it drops, unheld.
            deletionBudget: false,
          });
          const createsOnExisting: string[] = [];
          rt.on('action:failed', (e) => {
            if (e.error.includes('existing key')) createsOnExisting.push(e.key);
          });
          await rt.start();
          for (const s of steps) {
            const result = rt.setDesired(Object.entries(s.desired).map(([name, sp]) => app(name, sp)));
            expect(result.ok).toBe(true);
            await clock.advance(s.afterMs);
          }
          provider.setFaults(undefined);
          // interval + cap + timeout + latency: every actor has had a clean pass by then
          await clock.advance(10_000 * 1.1 + 5000 + 3000 + 2000 + 1000);
          const last = steps.at(-1)!.desired;
          const world = Object.fromEntries([...provider.store].map(([k, v]) => [k, { v: v.v, tag: v.tag }]));
          expect(world).toEqual(last);
          expect(provider.overlaps).toBe(0);
          expect(createsOnExisting).toEqual([]);
          await stopRuntime(rt, clock);
        },
      ),
      { numRuns: 150 },
    );
  });
});
