import { pino } from 'pino';
import type { ProviderContext } from '../../src/contract/provider.js';
import type { Resource } from '../../src/contract/resource.js';
import { memoryProvider } from '../../src/providers/memory.js';
import { seededRandom } from '../../src/time/random.js';
import { TestClock } from '../../src/time/test-clock.js';

const log = pino({ level: 'silent' });

/**
 * A memory provider of kind `thing` on its own `TestClock` (seed 7), and a context to call it
 * with, whose signal `controller` aborts: for the memory provider's own tests.
 */
export function memorySetup(options: Partial<Parameters<typeof memoryProvider>[0]> = {}) {
  const clock = new TestClock();
  const provider = memoryProvider({ kind: 'thing', clock, random: seededRandom(7), ...options });
  const controller = new AbortController();
  const ctx: ProviderContext = { signal: controller.signal, log, clock };
  return { clock, provider, controller, ctx };
}

/** A `thing` resource. */
export const res = (name: string, spec: Record<string, unknown> = {}): Resource => ({
  kind: 'thing',
  name,
  spec,
});
