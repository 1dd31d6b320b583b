import type { Logger } from 'pino';
import { createRuntime, type Runtime } from '../runtime/index.js';
import { createFileStore, StateCorruptError, StateLockedError } from '../store/index.js';
import type { CliIo } from './cli-io.js';
import type { Input } from './input.js';
import { runtimeOptionsOf } from './runtime-options.js';

/**
 * A runtime for this input, with the file store in the config's state directory. Nothing is
 * opened yet: `runtime.start()` (or `runtime.store.open()` for a plan) takes the state lock.
 */
export function runtimeFor(input: Input, io: CliIo, logger?: Logger): Runtime {
  const store = createFileStore({ dir: input.config.state, clock: io.clock });
  return createRuntime(
    runtimeOptionsOf(input.config, {
      providers: input.providers,
      clock: io.clock,
      random: io.random,
      store,
      ...(logger ? { logger } : {}),
    }),
  );
}

/**
 * Why the state could not be opened, for people: the lock holder, or the damaged file.
 * Anything else is unexpected and shown with its message.
 */
export function describeOpenError(error: unknown): string {
  if (StateLockedError.is(error)) return `setpoint: ${error.message}`;
  if (StateCorruptError.is(error)) {
    return `setpoint: the state is damaged: ${error.message}; restore it from a backup or move it aside`;
  }
  return `setpoint: could not open the state: ${error instanceof Error ? error.message : String(error)}`;
}
