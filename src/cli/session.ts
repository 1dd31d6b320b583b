import type { Logger } from 'pino';
import { createRuntime, type Runtime } from '../runtime/index.js';
import { createFileStore, StateCorruptError, StateLockedError } from '../store/index.js';
import type { CliIo } from './cli-io.js';
import type { Input } from './input.js';
import { runtimeOptionsOf } from './runtime-options.js';
import { STATE_KEY_VARIABLE } from './state-key.js';

export interface SessionOptions {
  readonly logger?: Logger;
  /** The secrets to seal in the state, asked at each write. Default: the config's. */
  readonly secrets?: () => Iterable<string>;
  /** Secrets the state's seals held (values the config may no longer name): hide them too. */
  readonly onSecrets?: (found: readonly string[]) => void;
}

/**
 * A runtime for this input, with the file store in the config's state directory. Nothing is
 * opened yet: `runtime.start()` (or `runtime.store.open()` for a plan) takes the state lock.
 *
 * Secrets are sealed in the state (the key from `SETPOINT_STATE_KEY`, else the state
 * directory's `state.key`). The secrets its seals held join the config's, so whatever prints
 * the config's secrets redacted hides them too, even after they were rotated away.
 */
export function runtimeFor(input: Input, io: CliIo, options: SessionOptions = {}): Runtime {
  const { config } = input;
  const { logger } = options;
  const store = createFileStore({
    dir: config.state,
    clock: io.clock,
    secrets: options.secrets ?? (() => config.secrets),
    ...(input.stateKey ? { key: input.stateKey } : {}),
    onOpen: ({ secretsFound, sealsLost }) => {
      for (const secret of secretsFound) if (!config.secrets.includes(secret)) config.secrets.push(secret);
      if (secretsFound.length > 0) options.onSecrets?.(secretsFound);
      if (sealsLost === 0) return;
      const text = `${sealsLost} sealed secret value(s) in the state could not be opened: the state key is not the one that sealed them (${STATE_KEY_VARIABLE} changed, or ${config.state}/state.key was replaced); their resources are observed and re-applied, and their rollback targets are dropped`;
      if (logger) logger.warn({ sealsLost }, text);
      else io.stderr.write(`setpoint: warning: ${text}\n`);
    },
  });
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
