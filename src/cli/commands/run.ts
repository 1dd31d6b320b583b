import { relative } from 'node:path';
import type { RuntimeFeed } from '../../api/runtime-feed.js';
import type { Runtime } from '../../runtime/index.js';
import { Timeline } from '../../server/dashboard/timeline.js';
import { desiredSetReady } from '../../server/readiness.js';
import type { StatusServer } from '../../server/status-server.js';
import { type LocalApi, openLocalApi } from '../api-session.js';
import type { CliIo, StopSignal } from '../cli-io.js';
import { type GitSources, nodeStates, startGitSources } from '../git-sources.js';
import { loadInput } from '../input.js';
import type { CommandArgs } from '../parse-args.js';
import { plural } from '../plural.js';
import { emptyPruneRefusal, orphansOf } from '../prune.js';
import { createReloader } from '../reloader.js';
import {
  attendRuntime,
  configWatcher,
  exitOnFailure,
  runSecrets,
  type StopReason,
  serveStatus,
  shutdown,
  stopWhen,
} from '../run-parts.js';
import { reportRunFailure, reportRunInputErrors, runLogger } from '../run-report.js';
import { describeOpenError, runtimeFor } from '../session.js';
import { runClusterMember } from './run-cluster.js';

type RunArgs = Extract<CommandArgs, { command: 'run' }>;

/**
 * `setpoint run`: the long-running process. Starts the supervised runtime with the config's
 * desired state, serves `/healthz`, `/readyz`, `/metrics` and `/status`, reloads when the config
 * or a resource file changes, and stops gracefully on SIGTERM or SIGINT (a second one stops at
 * once). Exits 0 after a signal, 1 when it cannot start or when the root supervisor gives up.
 */
export async function runCommand(args: RunArgs, io: CliIo): Promise<number> {
  let stopWith: ((reason: StopReason) => void) | undefined;
  let stopRequested: StopReason | undefined;
  const request = (reason: StopReason) => {
    stopRequested ??= reason;
    stopWith?.(reason);
  };
  let signals = 0;
  const offSignals = io.onSignal((signal: StopSignal) => {
    signals++;
    if (signals > 1) {
      const text = `second ${signal}: stopping now, without waiting`;
      if (args.json) runLogger(args, io, []).logger.fatal(text);
      else io.stderr.write(`setpoint: ${text}\n`);
      io.exit(1);
      return;
    }
    request({ code: 0, why: signal });
  });
  try {
    return await runUntilStopped(args, io, (fn) => {
      stopWith = fn;
      if (stopRequested) fn(stopRequested);
    });
  } finally {
    offSignals();
  }
}

/**
 * Start the runtime as `run` and `apply` do: it takes the state lock and reads the state. When
 * that fails, say why (on stderr, unless `report` is given), stop what did start, and resolve
 * false.
 */
export async function startRuntime(
  runtime: Runtime,
  io: CliIo,
  report: (text: string) => void = (text) => io.stderr.write(`${text}\n`),
): Promise<boolean> {
  try {
    await runtime.start();
    return true;
  } catch (error) {
    report(describeOpenError(error));
    await runtime.stop().catch(() => {});
    return false;
  }
}

async function runUntilStopped(
  args: RunArgs,
  io: CliIo,
  onStop: (fn: (reason: StopReason) => void) => void,
): Promise<number> {
  const result = await loadInput(args, io);
  if (!result.ok) {
    reportRunInputErrors(args, io, result);
    return 1;
  }
  const { config } = result.input;
  if (config.store.kind === 'postgres') return runClusterMember(args, io, result.input, config.store, onStop);
  const { log, secrets, learn } = runSecrets(args, io, config);
  const runtime = runtimeFor(result.input, io, { logger: log, secrets: () => secrets, onSecrets: learn });
  // Subscribed before anything starts: the root can give up while the desired set is fed.
  const { stopped, stop } = stopWhen(onStop);
  exitOnFailure(runtime, log, stop);
  const timeline = new Timeline(runtime); // for the dashboard: every event from the start
  if (!(await startRuntime(runtime, io, (text) => reportRunFailure(args, io, log, text)))) return 1;
  const unattend = attendRuntime(runtime, log);
  let server: StatusServer | undefined;
  let watcher: ReturnType<typeof configWatcher> | undefined;
  let local: LocalApi | undefined;
  let git: GitSources | undefined;
  const shutDown = shutdown(
    io,
    log,
    config,
    async () => {
      watcher?.close();
      git?.stop();
      try {
        await local?.close();
        await runtime.stop();
      } finally {
        await server?.close();
      }
    },
    unattend,
  );

  // The desired set is the config's resources and the API's, side by side in one store.
  const opened = await openLocalApi(result.input, io, runtime, log);
  if (!opened.ok) {
    reportRunFailure(
      args,
      io,
      log,
      `the config's resources cannot join the desired set:\n  ${opened.errors.join('\n  ')}`,
    );
    return shutDown(1);
  }
  local = opened.local;
  // Each Git source's commit joins the set before the runtime is fed (and then on its interval).
  const into = local;
  git = await startGitSources(config, io, log, (source, resources) => into.publishAs(source, resources));
  const desired = [...(await local.store.list()).items].map((o) => o.resource);
  const inventory = runtime.store.inventory();
  const refusal = emptyPruneRefusal({ ...config, resources: desired }, inventory.size);
  if (refusal !== undefined) {
    reportRunFailure(args, io, log, refusal);
    return shutDown(1);
  }
  const orphans = orphansOf(inventory, desired, new Set(Object.keys(config.providers)));
  if (config.defaults.prune) {
    for (const key of orphans.unservable)
      log.warn({ key }, `${key}: managed, but no provider serves its kind: left alone`);
    if (orphans.resources.length > 0)
      log.info({ count: orphans.resources.length }, 'pruning resources no longer desired');
  }
  let feed: RuntimeFeed;
  try {
    feed = await local.feed();
  } catch (error) {
    // Resources the API stored that no provider serves any more, say: the set is refused whole.
    const why = error instanceof Error ? error.message : String(error);
    reportRunFailure(args, io, log, `the desired set (the config's and the API's) was refused: ${why}`);
    return shutDown(1);
  }

  const reloader = createReloader({
    runtime,
    io,
    log,
    config,
    onSecrets: learn,
    onAccepted: (next) => void files.watch(next.file, next.state),
    accept: (resources) => (local as LocalApi).publishConfig(resources),
  });
  const files = configWatcher(io, log, reloader);
  watcher = files;

  server = await serveStatus(args, io, log, config, {
    runtime,
    secrets: () => [...secrets],
    ready: () => desiredSetReady(feed.keys(), (key) => runtime.status(key)),
    details: () => ({
      config: config.file,
      desired: feed.keys().length,
      lastReload: reloader.last(),
      ...(git.count > 0 ? { sources: git.status() } : {}),
      ...(nodeStates(result.input.providers).length > 0 ? { nodes: nodeStates(result.input.providers) } : {}),
    }),
    api: local.serve,
    ...(git.count > 0 ? { syncSources: () => (git as GitSources).syncAll() } : {}),
    dashboard: { timeline },
  });
  if (server === undefined) return shutDown(1);
  await files.watch(config.file, config.state);
  const count = feed.keys().length;
  log.info(
    {
      url: server.url,
      resources: count,
      config: relative(io.cwd, config.file) || config.file,
    },
    `running: ${plural(count, 'resource')}, ${config.server.dashboard.enabled ? `dashboard on ${server.url}/, ` : ''}status on ${server.url}/status, desired-state API on ${server.url}/api/v1`,
  );

  const release = io.hold();
  const reason = await stopped;
  release();
  log.info({ reason: reason.why }, 'shutting down');
  files.close();
  await reloader.idle();
  return shutDown(reason.code);
}
