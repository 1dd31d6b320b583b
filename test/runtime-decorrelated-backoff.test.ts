import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryProvider } from '../src/providers/index.js';
import { createRuntime } from '../src/runtime/index.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';

const BASE = 100;
const CAP = 60_000;

/** The delays a resource whose every call fails is given, in order, with decorrelated jitter. */
async function failureDelays(seed: number, count: number): Promise<number[]> {
  const clock = new TestClock();
  const provider = memoryProvider({
    kind: 'app',
    clock,
    random: seededRandom(seed),
    faults: { failRate: 1 },
  });
  const rt = createRuntime({
    providers: [provider],
    clock,
    random: seededRandom(seed + 1),
    backoff: { baseMs: BASE, capMs: CAP, jitter: 'decorrelated' },
  });
  const delays: number[] = [];
  rt.on('action:failed', (e) => {
    if (e.delayMs !== undefined) delays.push(e.delayMs);
  });
  await rt.start();
  rt.setDesired([{ kind: 'app', name: 'a', spec: { v: 1 } }]);
  while (delays.length < count) await clock.advance(CAP);
  const stopping = rt.stop();
  await clock.advance(60_000);
  await stopping;
  return delays.slice(0, count);
}

describe('the failure backoff with decorrelated jitter', () => {
  it('draws each delay from [base, 3 × the delay it actually waited last], capped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), async (seed) => {
        const delays = await failureDelays(seed, 12);
        let previous = BASE; // the first retry: as if the last wait had been the base
        for (const delay of delays) {
          expect(delay).toBeGreaterThanOrEqual(BASE);
          expect(delay).toBeLessThanOrEqual(Math.min(CAP, 3 * previous));
          previous = delay;
        }
      }),
      { numRuns: 25 },
    );
  });
});
