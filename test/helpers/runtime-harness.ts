import { afterEach } from 'vitest';
import { defineProvider, type Observed, type Provider } from '../../src/contract/provider.js';
import type { Resource } from '../../src/contract/resource.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../src/runtime/index.js';
import { seededRandom } from '../../src/time/random.js';
import { TestClock } from '../../src/time/test-clock.js';
import { scriptedProvider } from './scripted-provider.js';

/**
 * Stops, after each test, the runtime that test registered with the returned function, giving
 * its shutdown a minute of virtual time.
 */
export function stopAfterEach(): (rt: Runtime, clock: TestClock) => void {
  let running: { rt: Runtime; clock: TestClock } | undefined;
  afterEach(async () => {
    if (!running) return;
    const stopped = running.rt.stop();
    await running.clock.advance(60_000);
    await stopped;
    running = undefined;
  });
  return (rt, clock) => {
    running = { rt, clock };
  };
}

/** A started runtime on a `TestClock` with one scripted provider of kind `user`. */
export async function startScripted(
  track: (rt: Runtime, clock: TestClock) => void,
  options: Partial<RuntimeOptions> & { latencyMs?: number } = {},
) {
  const clock = new TestClock();
  const sys = scriptedProvider('user', clock, { latencyMs: options.latencyMs ?? 0 });
  const rt = createRuntime({
    providers: [sys.provider],
    clock,
    random: seededRandom(1),
    backoff: { baseMs: 1000, capMs: 60_000, jitter: 'none' },
    ...options,
  });
  track(rt, clock);
  return { clock, sys, rt };
}

/** A `user` resource. */
export const user = (name: string, spec: Record<string, unknown>, dependsOn?: string[]): Resource => ({
  kind: 'user',
  name,
  spec,
  ...(dependsOn ? { dependsOn } : {}),
});

/** A provider over a plain Map, with any operation overridden. */
export function mapProvider(
  kind: string,
  world: Map<string, Observed>,
  overrides: Partial<Omit<Provider, 'kind'>> = {},
): Provider {
  return defineProvider({
    kind,
    observe: async (ref) => world.get(ref.name),
    create: async (d) => void world.set(d.name, { ...d.spec }),
    update: async (d) => void world.set(d.name, { ...d.spec }),
    delete: async (_c, ref) => void world.delete(ref.name),
    ...overrides,
  });
}
