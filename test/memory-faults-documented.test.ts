import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../src/index.js';
import { type Faults, memoryProvider, seededRandom, TestClock } from '../src/testing.js';

/**
 * `memoryProvider({ faults })` takes the faults as the README's FAQ names them, in the shapes it
 * gives: the FAQ's call is read from the README itself, so the two cannot drift apart.
 */
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** A value in the documented shape for each fault the FAQ may name. */
const EXAMPLES: Record<string, unknown> = {
  failRate: 0.1,
  hangRate: 0.02,
  zombieRate: 0.02,
  crashRate: 0.02,
  flapRate: 0.05,
  latencyMs: [5, 50],
  outage: { from: 0, until: 20_000 },
};

describe('memoryProvider faults as the README shows them', () => {
  it('names only the faults the provider takes, and every one of them runs', async () => {
    const call = /`memoryProvider\(\{ kind, clock, random, faults: \{ ([^}]*) \} \}\)`/.exec(README);
    expect(call, 'the FAQ shows memoryProvider({ kind, clock, random, faults: { … } })').not.toBeNull();
    const names = call![1]!.split(',').map((name) => name.trim());
    expect(names.length).toBeGreaterThan(0);
    const faults = Object.fromEntries(names.map((name) => [name, EXAMPLES[name]])) as Faults;
    for (const name of names) expect(EXAMPLES[name], `an example value for ${name}`).toBeDefined();

    const clock = new TestClock();
    const random = seededRandom(7);
    const users = memoryProvider({ kind: 'user', clock, random, faults });
    const runtime = createRuntime({ providers: [users], clock, random, interval: 1000, timeout: 2000 });
    await runtime.start();
    const desired = ['alice', 'bob', 'carol'].map((name) => ({ kind: 'user', name, spec: { role: 'dev' } }));
    expect(runtime.setDesired(desired).ok).toBe(true);
    await clock.advance(10_000);
    expect(users.store.size, 'nothing gets through the outage').toBe(0);
    users.setFaults(undefined);
    await clock.advance(600_000);
    await runtime.stop();
    expect([...users.store.keys()].sort()).toEqual(['alice', 'bob', 'carol']);
  });

  it('takes one outage window, or a list of them', () => {
    const clock = new TestClock();
    const random = seededRandom(1);
    const one = { from: 0, until: 1000 };
    expect(() => memoryProvider({ kind: 'a', clock, random, faults: { outage: one } })).not.toThrow();
    expect(() => memoryProvider({ kind: 'b', clock, random, faults: { outage: [one, one] } })).not.toThrow();
    expect(() =>
      memoryProvider({ kind: 'c', clock, random, faults: { outage: 5 as unknown as Faults['outage'] } }),
    ).toThrow(/faults\.outage.*a window like \{ from: 60000, until: 90000 \}/);
  });
});
