import { relative } from 'node:path';
import type { Logger } from 'pino';
import { escapeControl } from '../config/format-issues.js';
import { type LoadedConfig, loadConfig } from '../config/load-config.js';
import { keyOf, type Resource } from '../contract/resource.js';
import { canonicalJson } from '../diff/canonical-json.js';
import type { Runtime } from '../runtime/index.js';
import type { CliIo } from './cli-io.js';

/** How the last reload went, as `/status` shows it. */
export interface ReloadReport {
  readonly ok: boolean;
  readonly at: number;
  /** What changed paths started it (none for the initial load). */
  readonly paths: readonly string[];
  readonly added?: number;
  readonly changed?: number;
  readonly removed?: number;
  /** Why it was refused: `file:line:column code: message` each. */
  readonly errors?: readonly string[];
}

export interface Reloader {
  /** Reload now (or once the reload in progress ends: bursts coalesce into one more). */
  reload(paths: readonly string[]): void;
  /** The keys of the desired set in force. */
  desiredKeys(): readonly string[];
  last(): ReloadReport;
  /** Resolves when no reload is running. */
  idle(): Promise<void>;
}

export interface ReloaderOptions {
  readonly runtime: Runtime;
  readonly io: CliIo;
  readonly log: Logger;
  /** The config the runtime was started with. */
  readonly config: LoadedConfig;
  /** A reload brought secrets: hide them from now on. */
  onSecrets(secrets: readonly string[]): void;
  /** A reload was accepted (the watcher may need new targets). */
  onAccepted(config: LoadedConfig): void;
  /**
   * After the runtime accepted the new set: pass it on (a postgres store publishes it for every
   * instance). A rejection is logged, and the reload reported failed.
   */
  readonly afterAccept?: (config: LoadedConfig) => Promise<void>;
  /**
   * Hand the new resources on, instead of `runtime.setDesired`: the desired-state store, which
   * holds them beside other sources' (it feeds the runtime itself).
   */
  readonly accept?: (
    resources: readonly Resource[],
  ) => Promise<
    { ok: true; added: number; changed: number; removed: number } | { ok: false; errors: readonly string[] }
  >;
}

/**
 * Hot reload for `setpoint run`: load the config and resource files again and hand the new
 * desired set to the runtime. A reload that fails — bad YAML, a schema error, a cycle, or a set
 * the runtime refuses — is logged with every problem and changes nothing: the last good
 * desired set keeps running. A resource file read empty (0 bytes: an editor's save caught
 * between truncate and write) is read again a few times first, then refused like any error, so
 * what it declared is never pruned for it. Only resources are reloaded; a change to providers, defaults,
 * state or server is reported and takes effect at the next start.
 */
export function createReloader(options: ReloaderOptions): Reloader {
  const { runtime, io, log } = options;
  const started = options.config;
  const shown = relative(io.cwd, started.file) || started.file;
  let keys = started.resources.map(keyOf);
  let report: ReloadReport = { ok: true, at: io.clock.now(), paths: [] };
  let running: Promise<void> | undefined;
  let again: string[] | undefined;

  /** Load; a resource file caught half-saved (0 bytes) gets a few short waits to be finished. */
  async function load() {
    let loaded = await loadConfig(started.file, { env: io.env });
    for (let i = 0; i < EMPTY_RETRIES && !loaded.ok && loaded.errors.every(isEmptyFile); i++) {
      await new Promise<void>((done) => io.clock.setTimeout(done, EMPTY_RETRY_MS));
      loaded = await loadConfig(started.file, { env: io.env });
    }
    return loaded;
  }

  async function once(paths: readonly string[]): Promise<void> {
    const at = io.clock.now();
    const loaded = await load();
    if (!loaded.ok) {
      // Its issues come redacted; hide its secrets from whatever else is logged from now on too.
      options.onSecrets(loaded.secrets);
      const errors = loaded.errors.map((e) =>
        escapeControl(`${relative(io.cwd, e.file) || e.file}:${e.line}:${e.column} ${e.code}: ${e.message}`),
      );
      for (const [i, e] of loaded.errors.entries()) {
        log.error({ code: e.code, hint: e.hint }, errors[i] ?? e.message);
      }
      log.error(
        { problems: errors.length },
        `reload of ${shown} refused: the last good desired state keeps running`,
      );
      report = { ok: false, at, paths, errors };
      return;
    }
    const next = loaded.config;
    options.onSecrets(next.secrets);
    if (!sameOutsideResources(started, next)) {
      log.warn('providers, defaults, state or server changed: restart setpoint to apply those');
    }
    const accepted = options.accept
      ? await options.accept(next.resources)
      : toOutcome(runtime.setDesired(next.resources));
    if (!accepted.ok) {
      if (options.accept) for (const error of accepted.errors) log.error(`reload refused: ${error}`);
      report = { ok: false, at, paths, errors: accepted.errors };
      return;
    }
    if (options.afterAccept) {
      try {
        await options.afterAccept(next);
      } catch (error) {
        const text = `the new desired set could not be published: ${error instanceof Error ? error.message : String(error)}`;
        log.error(text);
        report = { ok: false, at, paths, errors: [text] };
        return;
      }
    }
    keys = next.resources.map(keyOf);
    const { added, changed, removed } = accepted;
    report = { ok: true, at, paths, added, changed, removed };
    log.info({ added, changed, removed }, `reloaded ${shown}`);
    options.onAccepted(next);
  }

  const loop = async (paths: readonly string[]) => {
    let next: readonly string[] | undefined = paths;
    while (next !== undefined) {
      again = undefined;
      try {
        await once(next);
      } catch (error) {
        log.error({ err: error }, 'reload failed unexpectedly; the last good desired state keeps running');
      }
      next = again;
    }
  };

  return {
    reload(paths) {
      if (running) {
        again = [...(again ?? []), ...paths];
        return;
      }
      running = loop(paths).finally(() => {
        running = undefined;
      });
    },
    desiredKeys: () => keys,
    last: () => report,
    idle: async () => {
      while (running) await running;
    },
  };
}

function toOutcome(result: ReturnType<Runtime['setDesired']>) {
  return result.ok ? result : { ok: false as const, errors: result.errors.map((e) => e.message) };
}

/** Waits for a resource file found empty before a reload is refused: 5 × 100 ms. */
const EMPTY_RETRIES = 5;
const EMPTY_RETRY_MS = 100;
const isEmptyFile = (e: { code: string }) => e.code === 'empty-file';

function sameOutsideResources(a: LoadedConfig, b: LoadedConfig): boolean {
  const rest = (c: LoadedConfig) =>
    canonicalJson({
      // Where an entry is written is not what it is: moving lines changes no provider.
      providers: Object.entries(c.providers).map(([kind, { source: _, ...entry }]) => [kind, entry]),
      defaults: c.defaults,
      state: c.state,
      store: c.store,
      server: c.server,
    });
  return rest(a) === rest(b);
}
