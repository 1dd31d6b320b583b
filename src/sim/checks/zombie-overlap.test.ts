import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ProviderContext } from '../../contract/provider.js';
import type { Resource } from '../../contract/resource.js';
import { memoryProvider } from '../../providers/memory.js';
import { seededRandom } from '../../time/random.js';
import { TestClock } from '../../time/test-clock.js';
import { checkingProvider } from '../checking-provider.js';
import { InvariantChecks } from '../invariant-checks.js';
import { Trace } from '../trace.js';
import { Violations } from '../violation.js';

const log = pino({ level: 'silent' });
const app = (spec: Record<string, unknown> = {}): Resource => ({ kind: 'app', name: 'a', spec });
const TIMEOUT = 1000;
const ZOMBIE = 4000;

/**
 * A memory provider whose every call is a zombie, wrapped in a checking provider that reports to
 * the simulation's own invariant checks, and a caller that gives up on a call at its timeout, as
 * the operation queue does.
 */
function zombieWorld() {
  const clock = new TestClock();
  const violations = new Violations();
  const checks = new InvariantChecks(violations, {
    clock,
    trace: new Trace(),
    unmanaged: new Set(),
    manages: () => true,
    capMs: 60_000,
    supervision: { maxRestarts: 3, withinMs: 5000, systemicShare: 0.5 },
    restartWithinMs: 60_000,
    progress: () => {},
  });
  const memory = memoryProvider({
    kind: 'app',
    clock,
    random: seededRandom(3),
    faults: { zombieRate: 1, zombieMs: ZOMBIE },
  });
  const provider = checkingProvider(memory, checks.observer);
  checks.desiredSet([app({ v: 1 })], ['app/a'], 0, 0); // the spec the creates carry is the desired one
  /** Start a call with a fresh signal that aborts at the timeout; `settled` is the provider's own end. */
  const call = <T>(run: (ctx: ProviderContext) => Promise<T>) => {
    const controller = new AbortController();
    clock.setTimeout(() => controller.abort(new Error('timeout')), TIMEOUT);
    const settled = run({ signal: controller.signal, clock, log });
    settled.catch(() => {});
    return settled;
  };
  return { clock, violations, memory, provider, call };
}

describe('the one-operation-per-key check, against zombie calls', () => {
  it('reports calls that start on a key while a zombie for it still runs, and the late write they race', async () => {
    const { clock, violations, memory, provider, call } = zombieWorld();
    const zombie = call((ctx) => provider.create(app({ v: 1 }), ctx));
    await clock.advance(TIMEOUT); // the caller's timeout: it gives up, the zombie runs on
    memory.setFaults(undefined);
    // No per-key gate: the retry observes at once, finds nothing, and creates.
    expect(await call((ctx) => provider.observe(app(), ctx))).toBeUndefined();
    expect(violations.counts['one-operation-per-key']).toBe(1);
    expect(violations.list[0]).toMatchObject({
      invariant: 'one-operation-per-key',
      key: 'app/a',
      atMs: TIMEOUT,
    });
    expect(violations.list[0]!.detail).toMatch(
      /^observe started while create \(call #\d+, started at 0 ms\)/,
    );
    await call((ctx) => provider.create(app({ v: 1 }), ctx));
    expect(violations.counts['one-operation-per-key']).toBe(2);
    // The zombie's late create finds the object the retry made.
    await clock.advance(ZOMBIE);
    await expect(zombie).rejects.toThrow(/create of an existing key/);
    expect(violations.counts['no-create-of-existing']).toBe(1);
  });

  it('stays silent when the next call waits for the zombie to end, as the operation queue does', async () => {
    const { clock, violations, memory, provider, call } = zombieWorld();
    const zombie = call((ctx) => provider.create(app({ v: 1 }), ctx));
    await clock.advance(TIMEOUT);
    memory.setFaults(undefined);
    await clock.advance(ZOMBIE - 1);
    expect(memory.inFlight('a')).toBe(1); // still running, long after its timeout
    await clock.advance(1);
    await zombie;
    expect(await call((ctx) => provider.observe(app(), ctx))).toEqual({ v: 1 });
    expect(Object.values(violations.counts).every((n) => n === 0)).toBe(true);
    expect(memory.zombies).toBe(1);
  });
});
