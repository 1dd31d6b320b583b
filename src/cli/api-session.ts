import type pg from 'pg';
import type { Logger } from 'pino';
import { ApiError } from '../api/api-error.js';
import { createDesiredApi, type DesiredApi, type PublishResult } from '../api/desired-api.js';
import { openApiDocument } from '../api/openapi.js';
import { feedRuntime, type RuntimeFeed } from '../api/runtime-feed.js';
import { WatchHub } from '../api/watch-hub.js';
import type { Provider } from '../contract/provider.js';
import { keyOf, type Resource } from '../contract/resource.js';
import type { Runtime } from '../runtime/index.js';
import type { StatusServerOptions } from '../server/status-server.js';
import type { PublishAnswer } from '../sources/git-sync.js';
import { openEmbeddedSpecStore, readSpecFiles } from '../store/desired/embedded-store.js';
import type { SpecStore } from '../store/desired/spec-store.js';
import { openPostgresSpecStore } from '../store/pg/pg-spec-store.js';
import { nodeStoreFs } from '../store/store-fs.js';
import type { CliIo } from './cli-io.js';
import type { Input } from './input.js';

/** The config's source of the desired set, beside the API's (`api`). */
export const CONFIG_SOURCE = 'config';

/** The config's version of a key, when the API lets go of one the config declares too. */
function configClaimant(declared: () => readonly Resource[]) {
  return (key: string) => {
    const resource = declared().find((r) => keyOf(r) === key);
    return resource && { source: CONFIG_SOURCE, resource };
  };
}

/**
 * The desired-state API of an instance of a group, on the PostgreSQL store the group shares:
 * every instance serves it, and a write reaches the instance that runs its shard through the
 * database's notices.
 */
export async function openGroupApi(
  providers: readonly Provider[],
  connection: pg.ClientConfig,
  shards: number,
  io: CliIo,
  /** The config's resources now. */
  declared: () => readonly Resource[],
): Promise<{ api: DesiredApi; serve: NonNullable<StatusServerOptions['api']>; close(): Promise<void> }> {
  const store = await openPostgresSpecStore({ connection, shards, clock: io.clock });
  const api = createDesiredApi({
    store,
    providers,
    claimant: configClaimant(declared),
  });
  const hub = await WatchHub.start({ store, clock: io.clock, render: api.render });
  return {
    api,
    serve: { api, hub, openapi: openApiDocument },
    async close() {
      hub.close();
      await store.close();
    },
  };
}

/** The desired-state API of one instance, on the embedded store in the state directory. */
export interface LocalApi {
  readonly api: DesiredApi;
  readonly store: SpecStore;
  /** What `createStatusServer` serves. */
  readonly serve: NonNullable<StatusServerOptions['api']>;
  /** Hand the runtime the whole desired set (config and API) and follow its changes. */
  feed(): Promise<RuntimeFeed>;
  /** Publish a config's resources as the `config` source: what the reloader does. */
  publishConfig(resources: readonly Resource[]): Promise<PublishOutcome>;
  /** Make `resources` the whole of `source`'s desired set (a Git source's commit). */
  publishAs(source: string, resources: readonly Resource[]): Promise<PublishOutcome>;
  close(): Promise<void>;
}

/** What publishing a source's set did: the counts, or why the store refused it. */
export type PublishOutcome = PublishAnswer;

/**
 * Make `resources` the whole of `source`'s desired set through a desired-state API: the counts,
 * or (the API refused the set) every problem. `onConflicts` hears the keys another source owns.
 */
export async function publishThrough(
  api: DesiredApi,
  source: string,
  resources: readonly Resource[],
  onConflicts?: (conflicts: PublishResult['conflicts']) => void,
): Promise<PublishOutcome> {
  try {
    const { added, changed, removed, conflicts } = await api.publish(source, resources);
    onConflicts?.(conflicts);
    return { ok: true, added, changed, removed };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { ok: false, errors: error.body.problems?.map((p) => p.message) ?? [error.message] };
  }
}

/**
 * Open the embedded desired-state store in the config's state directory (the runtime holds
 * its lock: call after `runtime.start()`), publish the config's resources into it as the
 * `config` source, and make the API over it. A config whose set the store's other sources
 * make invalid (an API resource depending on one the config dropped) is refused: `errors`.
 */
export async function openLocalApi(
  { config, providers }: Input,
  io: CliIo,
  runtime: Runtime,
  log: Logger,
): Promise<{ ok: true; local: LocalApi } | { ok: false; errors: readonly string[] }> {
  const store = await openEmbeddedSpecStore({ dir: config.state });
  let declared: readonly Resource[] = config.resources;
  const api = createDesiredApi({
    store,
    providers,
    claimant: configClaimant(() => declared),
  });
  const publishAs = (source: string, resources: readonly Resource[]): Promise<PublishOutcome> => {
    if (source === CONFIG_SOURCE) declared = resources;
    const who = source === CONFIG_SOURCE ? 'config' : `source ${source}`;
    return publishThrough(api, source, resources, (conflicts) => {
      for (const { key, owner } of conflicts) {
        log.warn(
          { key, owner, source },
          `${key}: declared by the ${who} and by the source ${owner}, which owns it: the ${source === CONFIG_SOURCE ? "config's" : `${who}'s`} version is not applied`,
        );
      }
    });
  };
  const publishConfig = (resources: readonly Resource[]) => publishAs(CONFIG_SOURCE, resources);
  const first = await publishConfig(config.resources);
  if (!first.ok) {
    await store.close();
    return first;
  }
  const hub = await WatchHub.start({ store, clock: io.clock, render: api.render });
  let feed: RuntimeFeed | undefined;
  const local: LocalApi = {
    api,
    store,
    serve: { api, hub, openapi: openApiDocument },
    async feed() {
      feed = await feedRuntime({
        runtime,
        store,
        clock: io.clock,
        onRefused: (errors) => log.error({ errors }, 'the runtime refused a change of the desired set'),
        onError: (error) => log.warn({ err: error }, 'status write-back failed; it is retried'),
        serves: (kind) => Object.hasOwn(config.providers, kind),
        onUnserved: (keys) => {
          for (const key of keys)
            log.warn(
              { key },
              `${key}: declared through the API, but no provider serves its kind: left alone`,
            );
        },
      });
      return feed;
    },
    publishConfig,
    publishAs,
    async close() {
      hub.close();
      await feed?.stop();
      await store.close();
    },
  };
  return { ok: true, local };
}

/**
 * The desired set a one-shot command (`plan`, `apply`) works on: the config's resources and,
 * beside them, what other sources (the API) declared in the embedded store of the state
 * directory, read without writing anything. A key another source owns is taken as it has it.
 * Without that, a prune would delete what the API created. `others`: how many came from them.
 */
export async function withOtherSources(
  input: Input,
  /** Sources whose resources are already in the input (Git sources read just now). */
  skip: ReadonlySet<string> = new Set(),
): Promise<{ input: Input; others: number }> {
  const { config } = input;
  if (config.store.kind !== 'file') return { input, others: 0 };
  const { objects } = await readSpecFiles(nodeStoreFs, config.state);
  const others = [...objects.values()].filter((o) => o.source !== CONFIG_SOURCE && !skip.has(o.source));
  if (others.length === 0) return { input, others: 0 };
  const taken = new Set(others.map((o) => keyOf(o.resource)));
  const resources = [
    ...config.resources.filter((r) => !taken.has(keyOf(r))),
    ...others.map((o) => o.resource),
  ];
  return { input: { ...input, config: { ...config, resources } }, others: others.length };
}
