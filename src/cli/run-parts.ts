import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load-config.js';
import { describeError } from '../contract/errors.js';
import type { Runtime } from '../runtime/index.js';
import type { DashboardOptions } from '../server/dashboard/routes.js';
import { createStatusServer, type StatusServer, type StatusServerOptions } from '../server/status-server.js';
import type { CliIo } from './cli-io.js';
import { sweepStuckDeletes } from './delete-sweeper.js';
import { logRuntimeEvents } from './event-log.js';
import type { CommandArgs } from './parse-args.js';
import type { Reloader } from './reloader.js';
import { runLogger } from './run-report.js';
import { type FileWatcher, patternsOf, watchFiles, watchTargets } from './watch.js';

/** The parts `setpoint run` has in common, whether alone or as a member of a group. */

type RunArgs = Extract<CommandArgs, { command: 'run' }>;

/** Quiet time after the last file change before a reload. */
const RELOAD_DEBOUNCE_MS = 100;
/** Past the shutdown timeout, how long to wait for the rest before giving up on a clean stop. */
const SHUTDOWN_GRACE_MS = 2000;

/** Watch the config and its resource files, reloading on change; `watch` again after a reload. */
export function configWatcher(io: CliIo, log: Logger, reloader: Reloader) {
  let watcher: FileWatcher | undefined;
  let closed = false;
  return {
    async watch(file: string, state: string): Promise<void> {
      const targets = watchTargets(file, await patternsOf(file, io.env), state);
      if (closed) return;
      watcher?.close();
      watcher = watchFiles(targets, {
        clock: io.clock,
        debounceMs: RELOAD_DEBOUNCE_MS,
        onChange: (paths) => reloader.reload(paths),
        onError: (dir, error) => log.warn({ dir, error: error.message }, `cannot watch ${dir}`),
        onRewatch: (dir, present) =>
          present
            ? log.warn({ dir }, `${dir} was deleted or replaced: watching it again, and reloading`)
            : log.warn({ dir }, `${dir} was deleted: reloading, and watching for it to come back`),
      });
    },
    close(): void {
      closed = true;
      watcher?.close();
    },
  };
}

/** Serve the status endpoints on `server.listen`; `undefined` after saying why it could not. */
export async function serveStatus(
  args: RunArgs,
  io: CliIo,
  log: Logger,
  config: LoadedConfig,
  options: Pick<StatusServerOptions, 'runtime' | 'secrets' | 'ready' | 'details' | 'api' | 'syncSources'> & {
    /** For the dashboard: the timeline recorded since the runtime started, the group's reader. */
    readonly dashboard?: Omit<DashboardOptions, 'reads'>;
  },
): Promise<StatusServer | undefined> {
  const { dashboard, ...rest } = options;
  try {
    return await createStatusServer({
      ...rest,
      clock: io.clock,
      dashboard: config.server.dashboard.enabled
        ? { ...dashboard, reads: config.server.dashboard.reads }
        : false,
      host: config.server.host,
      port: config.server.port,
      ...(config.server.token !== undefined ? { token: config.server.token } : {}),
    });
  } catch (error) {
    const where = `${config.server.host}:${config.server.port}`;
    log.fatal({ error: describeError(error) }, `cannot listen on ${where}`);
    if (!args.json)
      io.stderr.write(`setpoint: cannot listen on ${where} (server.listen): ${describeError(error)}\n`);
    return undefined;
  }
}

/**
 * A graceful stop: `stop` what runs, within the shutdown timeout and a grace (else exit 1 at
 * once), then `after` whatever happened; resolves with `code` once stopped.
 */
export function shutdown(
  io: CliIo,
  log: Logger,
  config: LoadedConfig,
  stop: () => Promise<void>,
  after: () => void,
): (code: number) => Promise<number> {
  return async (code) => {
    const limit = config.defaults.shutdownMs + SHUTDOWN_GRACE_MS;
    const overdue = io.clock.setTimeout(() => {
      log.error(`shutdown took longer than ${limit} ms; exiting anyway`);
      io.exit(1);
    }, limit);
    let exit = code;
    try {
      await stop();
    } catch (error) {
      // Stopping failed part way (a database gone, say): say so, and end all the same.
      log.error({ error: describeError(error) }, `stopping failed: ${describeError(error)}`);
      exit = 1;
    } finally {
      io.clock.clearTimeout(overdue);
      after();
    }
    log.info({ code: exit }, 'stopped');
    return exit;
  };
}

/** Exit when the root supervisor gives up (subscribe before the runtime starts). */
export function exitOnFailure(
  runtime: Runtime,
  log: Logger,
  stop: (reason: { code: number; why: string }) => void,
): void {
  runtime.on('runtime:failed', (e) => {
    log.fatal(
      { error: e.error },
      'the root supervisor gave up; exiting so an outer supervisor can restart setpoint',
    );
    stop({ code: 1, why: 'runtime failed' });
  });
}

/** Once the runtime runs: log its events, and sweep deletes stuck behind a lost dependent; returns the undo. */
export function attendRuntime(runtime: Runtime, log: Logger): () => void {
  const stopLogging = logRuntimeEvents(runtime, log);
  const sweeper = sweepStuckDeletes(runtime);
  return () => {
    sweeper.stop();
    stopLogging();
  };
}

/** Why `run` stops, and with which exit status. */
export interface StopReason {
  readonly code: number;
  readonly why: string;
}

/**
 * The log of `run`, and the secrets it keeps out of the log and the status: the config's at
 * first, and every one learnt later (opened from the state's seals, brought by a reload).
 */
export function runSecrets(args: RunArgs, io: CliIo, config: LoadedConfig) {
  const secrets = new Set(config.secrets);
  const { logger: log, addSecrets } = runLogger(args, io, config.secrets);
  const learn = (more: readonly string[]) => {
    addSecrets(more);
    for (const secret of more) secrets.add(secret);
  };
  return { log, secrets, learn };
}

/** What `run` waits on until stopped, and the way to stop it, handed to `onStop` at once. */
export function stopWhen(onStop: (fn: (reason: StopReason) => void) => void): {
  readonly stopped: Promise<StopReason>;
  readonly stop: (reason: StopReason) => void;
} {
  let stop!: (reason: StopReason) => void;
  const stopped = new Promise<StopReason>((resolve) => {
    stop = resolve;
  });
  onStop(stop);
  return { stopped, stop };
}
