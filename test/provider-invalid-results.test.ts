import { describe, expect, it } from 'vitest';
import { memoryProvider } from '../src/providers/memory.js';
import { createRuntime } from '../src/runtime/index.js';
import { simulate } from '../src/sim/index.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';

/**
 * A provider that answers a value its contract forbids is broken: the contract makes that a crash,
 * so the supervisor restarts the actor, which looks at the world again. A `delete` that resolves
 * with a value (the memory provider's `crashRate` returns a string; `delete` promises
 * `undefined`) must never be taken as done: that would forget the key while the object stays
 * in the world — a leak. The simulation found this; these tests keep it fixed.
 */
describe('invalid provider results', () => {
  it('leaves nothing behind when a delete answers an invalid value (simulation: seed 3, 2 resources)', async () => {
    const report = await simulate({
      seed: 3,
      resources: 2,
      kinds: 1,
      duration: 120_000,
      faultWindow: 60_000,
      changes: 2,
      interval: 10_000,
      timeout: 3000,
      backoff: { baseMs: 100, capMs: 5000 },
      faults: { crashRate: 0.5 },
      unmanaged: 1,
      preexisting: 0,
    });
    expect(report.violationCounts.convergence).toBe(0);
  });

  it('leaves nothing behind when a delete answers an invalid value (runtime, no simulation)', async () => {
    const clock = new TestClock();
    const app = memoryProvider({ kind: 'app', clock, random: seededRandom(1) });
    // Crashes back off, and the kind supervisor tolerates them: the delete is retried, not given up.
    const rt = createRuntime({
      providers: [app],
      clock,
      random: seededRandom(2),
      supervision: {
        maxRestarts: 50,
        withinMs: 5000,
        restartBackoff: { minMs: 100, maxMs: 2000, randomFactor: 0, resetAfterMs: 10_000 },
      },
    });
    const crashed: string[] = [];
    rt.on('actor:crashed', (e) => crashed.push(e.key));
    await rt.start();
    rt.setDesired([
      { kind: 'app', name: 'a', spec: { v: 1 } },
      { kind: 'app', name: 'b', spec: { v: 1 } },
    ]);
    await clock.advance(1000);
    expect([...app.store.keys()].sort()).toEqual(['a', 'b']);
    app.setFaults({ crashRate: 1, operations: ['delete'] });
    rt.setDesired([{ kind: 'app', name: 'b', spec: { v: 1 } }]);
    await clock.advance(1000);
    app.setFaults(undefined);
    await clock.advance(120_000);
    const stopping = rt.stop();
    await clock.advance(60_000);
    await stopping;
    expect([...app.store.keys()]).toEqual(['b']);
    expect(crashed.length).toBeGreaterThan(0); // the invalid value was a crash, not a success
  });
});
