import pg from 'pg';
import type { Logger } from 'pino';
import { createRuntime, type Runtime } from '../runtime/index.js';
import {
  createFileStore,
  createReadOnlyStore,
  StateCorruptError,
  StateLockedError,
  type StateStore,
} from '../store/index.js';
import { createPostgresStore } from '../store/pg/postgres-store.js';
import type { CliIo } from './cli-io.js';
import { connectionOf, describeConnectError, type PostgresStoreConfig } from './cluster-session.js';
import type { Input } from './input.js';
import { plural } from './plural.js';
import { runtimeOptionsOf } from './runtime-options.js';
import { STATE_KEY_VARIABLE } from './state-key.js';

export interface SessionOptions {
  readonly logger?: Logger;
  /** The secrets to seal in the state, asked at each write. Default: the config's. */
  readonly secrets?: () => Iterable<string>;
  /** Secrets the state's seals held (values the config may no longer name): hide them too. */
  readonly onSecrets?: (found: readonly string[]) => void;
}

type OnOpen = (info: { readonly secretsFound: readonly string[]; readonly sealsLost: number }) => void;

/**
 * A runtime for this input, with the file store in the config's state directory. Nothing is
 * opened yet: `runtime.start()` takes the state lock (a plan uses `planRuntimeFor` instead).
 *
 * Secrets are sealed in the state (the key from `SETPOINT_STATE_KEY`, else the state
 * directory's `state.key`). The secrets its seals held join the config's, so whatever prints
 * the config's secrets redacted hides them too, even after they were rotated away.
 */
export function runtimeFor(input: Input, io: CliIo, options: SessionOptions = {}): Runtime {
  const { config } = input;
  const store = createFileStore({
    dir: config.state,
    clock: io.clock,
    secrets: options.secrets ?? (() => config.secrets),
    ...(input.stateKey ? { key: input.stateKey } : {}),
    onOpen: onOpenFor(input, io, options),
  });
  return createRuntime(
    runtimeOptionsOf(input.config, {
      providers: input.providers,
      clock: io.clock,
      random: io.random,
      store,
      ...(options.logger ? { logger: options.logger } : {}),
    }),
  );
}

/** A runtime to plan with, over a store that only reads. */
export interface PlanSession {
  readonly runtime: Runtime;
  /** Read the state (say why it cannot be read by throwing). */
  open(): Promise<void>;
  /** Let go of what `open` took (a database connection). */
  close(): Promise<void>;
}

/**
 * A runtime for a plan: its store reads the state and writes nothing to it (see
 * `createReadOnlyStore`, and the postgres store's `readOnly`), so `plan` and `apply --dry-run`
 * leave it as they found it, beside running instances too. Call `open()`, then
 * `runtime.plan()`; the runtime cannot be started to apply anything.
 */
export function planRuntimeFor(input: Input, io: CliIo): PlanSession {
  const { config } = input;
  const onOpen = onOpenFor(input, io, {});
  const key = input.stateKey ? { key: input.stateKey } : {};
  const runtimeOf = (store: StateStore) =>
    createRuntime(
      runtimeOptionsOf(config, { providers: input.providers, clock: io.clock, random: io.random, store }),
    );
  if (config.store.kind === 'postgres') {
    const client = new pg.Client(connectionOf(config.store, io.env));
    client.on('error', () => {});
    const store = createPostgresStore({ client, clock: io.clock, readOnly: true, ...key });
    let connected = false;
    return {
      runtime: runtimeOf(store),
      async open() {
        try {
          await client.connect();
          connected = true;
        } catch (error) {
          throw new Error(describeConnectError(config, config.store as PostgresStoreConfig, io, error));
        }
        await store.open();
      },
      close: async () => {
        if (connected) await client.end().catch(() => undefined);
      },
    };
  }
  const store = createReadOnlyStore({ dir: config.state, clock: io.clock, ...key, onOpen });
  return { runtime: runtimeOf(store), open: () => store.open(), close: async () => {} };
}

/** What to do once the state is read: learn the secrets its seals held, warn of lost seals. */
function onOpenFor(input: Input, io: CliIo, options: SessionOptions): OnOpen {
  const { config } = input;
  return ({ secretsFound, sealsLost }) => {
    for (const secret of secretsFound) if (!config.secrets.includes(secret)) config.secrets.push(secret);
    if (secretsFound.length > 0) options.onSecrets?.(secretsFound);
    if (sealsLost === 0) return;
    const text = `${plural(sealsLost, 'sealed secret value')} in the state could not be opened: the state key is not the one that sealed them (${STATE_KEY_VARIABLE} changed, or ${config.state}/state.key was replaced); their resources are observed and re-applied, and their rollback targets are dropped`;
    if (options.logger) options.logger.warn({ sealsLost }, text);
    else io.stderr.write(`setpoint: warning: ${text}\n`);
  };
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
