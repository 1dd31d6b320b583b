/**
 * `setpoint/testing`: how to test a provider, or a program built on the runtime, without waiting
 * on real time or a real system.
 *
 * ```ts
 * import { createRuntime } from 'setpoint';
 * import { memoryProvider, seededRandom, TestClock } from 'setpoint/testing';
 *
 * const clock = new TestClock();
 * const users = memoryProvider({ kind: 'user', clock, random: seededRandom(1), faults: { failRate: 0.3 } });
 * const runtime = createRuntime({ providers: [users], clock, random: seededRandom(2) });
 * await runtime.start();
 * runtime.setDesired([{ kind: 'user', name: 'alice', spec: { role: 'admin' } }]);
 * await clock.advance(60_000); // a minute of ticks, failures and backoff, in milliseconds
 * ```
 *
 * `simulate` runs hours of churn and faults against the runtime and checks its invariants.
 */

export {
  type MemoryCalls,
  type MemoryProvider,
  type MemoryProviderOptions,
  memoryProvider,
} from './providers/memory.js';
export type { Faults, MemoryOperation, Outage } from './providers/memory-faults.js';
export {
  checkingProvider,
  formatReport,
  INVARIANTS,
  type SimFaults,
  type SimOptions,
  type SimReport,
  simulate,
  type Violation,
  type ViolationCounts,
} from './sim/index.js';
export { seededRandom } from './time/random.js';
export { TestClock, type TestClockOptions } from './time/test-clock.js';
