import type { Clock } from '../time/clock.js';
import { createBackedStore } from './backed-store.js';
import type { StateStore } from './state-store.js';
import { emptyState } from './store-state.js';

export interface MemoryStoreOptions {
  /** Where `updatedAt` and intent times come from. */
  readonly clock: Clock;
}

/**
 * A state store that lives in memory: for the library when nothing must survive the process,
 * and for tests.
 *
 * ```ts
 * const store = createMemoryStore({ clock: new TestClock() });
 * await store.open();
 * const intent = await store.intend({ key: 'user/alice', op: 'create', spec: { role: 'admin' } });
 * await store.close();
 * await store.open();
 * store.pendingIntents(); // [intent]: state outlives close(), like a restart of the runtime
 * ```
 *
 * State survives `close()` and `open()` on the same store object, so a test can stop and
 * start a runtime over it and watch recovery. Writes resolve at once.
 */
export function createMemoryStore(options: MemoryStoreOptions): StateStore {
  if (typeof options?.clock?.now !== 'function') {
    throw new TypeError(
      `Expected \`clock\` to be a Clock, got \`${String(options?.clock)}\`; pass systemClock or a TestClock`,
    );
  }
  const state = emptyState();
  return createBackedStore(
    {
      open: async () => state,
      persist: () => Promise.resolve(),
      close: async () => {},
    },
    options.clock,
  );
}
