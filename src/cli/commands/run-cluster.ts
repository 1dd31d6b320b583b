import { relative } from 'node:path';
import type { Logger } from 'pino';
import { type Instance, type InstanceEvent, startInstance } from '../../cluster/instance.js';
import { describeError } from '../../contract/errors.js';
import type { Resource } from '../../contract/resource.js';
import { Timeline } from '../../server/dashboard/timeline.js';
import type { StatusServer } from '../../server/status-server.js';
import { CONFIG_SOURCE, openGroupApi, publishThrough } from '../api-session.js';
import type { CliIo } from '../cli-io.js';
import {
  connectionOf,
  describeConnectError,
  instanceIdOf,
  type PostgresStoreConfig,
  sharedKeyProblem,
} from '../cluster-session.js';
import { nodeStates, startGitSources } from '../git-sources.js';
import { groupReader } from '../group-reader.js';
import type { Input } from '../input.js';
import type { CommandArgs } from '../parse-args.js';
import { plural } from '../plural.js';
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
import { reportRunFailure } from '../run-report.js';
import { runtimeOptionsOf } from '../runtime-options.js';

type RunArgs = Extract<CommandArgs, { command: 'run' }>;

/** Shards gained or lost within this long are logged in one line. */
const BATCH_MS = 50;

/**
 * `setpoint run` with a postgres store: join the group of instances sharing the database. The
 * config's resources are published to it (unless `cluster.publish: false`), and again when its
 * files change; this instance runs the resources of the shards it holds. `/readyz` is ready
 * while its leases are renewed in time (holding shards, or waiting for some).
 */
export async function runClusterMember(
  args: RunArgs,
  io: CliIo,
  input: Input,
  store: PostgresStoreConfig,
  onStop: (fn: (reason: StopReason) => void) => void,
): Promise<number> {
  const { config } = input;
  const { log, secrets, learn } = runSecrets(args, io, config);
  const keyProblem = sharedKeyProblem(config, input.stateKey);
  if (keyProblem !== undefined) {
    reportRunFailure(args, io, log, keyProblem);
    return 1;
  }
  const { stopped, stop } = stopWhen(onStop);
  const id = instanceIdOf(store, process.pid);
  const events = eventLog(log, io.clock);
  const { cluster } = store;
  let instance: Instance;
  // The config's keys that another source owns, for the API's objects to show.
  let lastConflicts: readonly string[] = [];
  let claims = (keys: readonly string[]) => {
    lastConflicts = keys;
  };
  try {
    instance = await startInstance({
      url: connectionOf(store, io.env),
      id,
      shards: cluster.shards,
      ttlMs: cluster.leaseTtlMs,
      tickMs: cluster.renewEveryMs,
      providers: input.providers,
      clock: io.clock,
      random: io.random,
      runtime: runtimeOptionsOf(config, {
        providers: input.providers,
        clock: io.clock,
        random: io.random,
        logger: log,
      }),
      secrets: () => secrets,
      ...(input.stateKey ? { key: input.stateKey } : {}),
      ...(cluster.publish ? { publish: config.resources } : {}),
      onEvent: (event) => {
        events.onEvent(event);
        if (event.type === 'published') claims(event.published.conflicts);
        if (event.type === 'disconnected') stop({ code: 1, why: 'lost the database' });
      },
    });
  } catch (error) {
    reportRunFailure(args, io, log, describeConnectError(config, store, io, error));
    return 1;
  }
  const { runtime } = instance;
  exitOnFailure(runtime, log, stop);
  let group: Awaited<ReturnType<typeof openGroupApi>>;
  let reloaded = (_resources: readonly Resource[]) => {};
  try {
    let declared: readonly Resource[] = config.resources;
    reloaded = (next) => {
      declared = next;
    };
    group = await openGroupApi(input.providers, connectionOf(store, io.env), cluster.shards, io, () =>
      cluster.publish ? declared : [],
    );
  } catch (error) {
    await instance.stop();
    reportRunFailure(args, io, log, describeConnectError(config, store, io, error));
    return 1;
  }
  claims = (keys) => group.api.noteClaims(CONFIG_SOURCE, keys);
  claims(lastConflicts);
  // Every instance that publishes the config publishes each Git source's commit too (the same
  // commit makes no change: publishing is idempotent).
  const git = await startGitSources(
    cluster.publish ? config : { ...config, gitSources: [] },
    io,
    log,
    (source, resources) => publishThrough(group.api, source, resources),
  );
  const unattend = attendRuntime(runtime, log);
  const timeline = new Timeline(runtime); // the dashboard's, from here: the instance started its actors
  const members = groupReader(connectionOf(store, io.env), cluster.leaseTtlMs);
  let server: StatusServer | undefined;
  let watcher: ReturnType<typeof configWatcher> | undefined;
  const shutDown = shutdown(
    io,
    log,
    config,
    async () => {
      watcher?.close();
      git.stop();
      try {
        await instance.stop(); // its actors stop, then its shards are handed over
      } finally {
        await group.close();
        events.flush();
        await server?.close();
        await members.close();
      }
    },
    unattend,
  );

  const reloader = createReloader({
    runtime,
    io,
    log,
    config,
    onSecrets: learn,
    onAccepted: (next) => void files.watch(next.file, next.state),
    ...(cluster.publish
      ? {
          afterAccept: async (next) => {
            await instance.publish(next.resources);
            reloaded(next.resources);
          },
        }
      : {}),
  });
  const files = configWatcher(io, log, reloader);
  watcher = files;
  server = await serveStatus(args, io, log, config, {
    runtime,
    secrets: () => [...secrets],
    ready: () => instance.inTouch(),
    details: () => ({
      config: config.file,
      instance: id,
      shards: Object.fromEntries([...instance.manager.held].sort((a, b) => a[0] - b[0])),
      inTouch: instance.inTouch(),
      lastReload: reloader.last(),
      ...(git.count > 0 ? { sources: git.status() } : {}),
      ...(nodeStates(input.providers).length > 0 ? { nodes: nodeStates(input.providers) } : {}),
    }),
    api: group.serve,
    ...(git.count > 0 ? { syncSources: () => git.syncAll() } : {}),
    dashboard: { timeline, group: members.read },
  });
  if (server === undefined) return shutDown(1);
  if (cluster.publish) await files.watch(config.file, config.state);
  log.info(
    {
      url: server.url,
      instance: id,
      shards: instance.manager.held.size,
      resources: config.resources.length,
      config: relative(io.cwd, config.file) || config.file,
    },
    `running as ${id}: ${plural(instance.manager.held.size, 'shard')} of ${cluster.shards}, ${config.server.dashboard.enabled ? `dashboard on ${server.url}/, ` : ''}status on ${server.url}/status, desired-state API on ${server.url}/api/v1`,
  );
  const release = io.hold();
  const reason = await stopped;
  release();
  log.info({ reason: reason.why }, 'shutting down');
  files.close();
  await reloader.idle();
  return shutDown(reason.code);
}

type Log = Logger;

/** A log of the instance's events; shards gained or lost together make one line. */
function eventLog(
  log: Log,
  clock: CliIo['clock'],
): { onEvent: (event: InstanceEvent) => void; flush: () => void } {
  const batch = { gained: new Map<number, number>(), lost: new Map<number, string>() };
  let due = false;
  const flush = () => {
    due = false;
    if (batch.gained.size > 0) {
      const shards = Object.fromEntries(batch.gained);
      log.info(
        { shards },
        `gained ${plural(batch.gained.size, 'shard')}: ${[...batch.gained.keys()].join(', ')}`,
      );
    }
    if (batch.lost.size > 0) {
      const why = [...new Set(batch.lost.values())].join(', ');
      log.warn(
        { shards: [...batch.lost.keys()], why },
        `lost ${plural(batch.lost.size, 'shard')} (${why}): ${[...batch.lost.keys()].join(', ')}`,
      );
    }
    batch.gained.clear();
    batch.lost.clear();
  };
  const onEvent = (event: InstanceEvent) => {
    if (event.type === 'gained' || event.type === 'lost') {
      if (event.type === 'gained') batch.gained.set(event.shard, event.epoch);
      else batch.lost.set(event.shard, event.why);
      if (!due) {
        due = true;
        clock.setTimeout(flush, BATCH_MS);
      }
      return;
    }
    logEvent(log, event);
  };
  return { onEvent, flush };
}

function logEvent(log: Log, event: Exclude<InstanceEvent, { type: 'gained' | 'lost' }>): void {
  switch (event.type) {
    case 'published': {
      const { added, changed, removed } = event.published;
      const other =
        event.previous !== undefined && event.previous.digest !== event.digest ? event.previous : undefined;
      log.info({ added, changed, removed, digest: event.digest }, 'published the desired set');
      for (const key of event.published.conflicts)
        log.warn(
          { key },
          `${key}: declared by another source in the database (a program, through the API): left as it has it`,
        );
      if (other)
        log.warn(
          { previous: other.instance, digest: other.digest },
          `the desired set differed from the one ${other.instance} published: the last publish wins; give every instance the same config, or set cluster.publish: false on those that should only run`,
        );
      return;
    }
    case 'error':
      log.warn(
        { error: describeError(event.error) },
        `${event.during} failed: ${describeError(event.error)}`,
      );
      return;
    case 'disconnected':
      log.fatal(
        { error: describeError(event.error) },
        `lost a session with the database (${describeError(event.error)}): every shard stopped; exiting so an outer supervisor can restart setpoint`,
      );
      return;
  }
}
