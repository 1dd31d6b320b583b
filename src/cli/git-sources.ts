import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load-config.js';
import type { Resource } from '../contract/resource.js';
import { GitSync, type GitSyncStatus, type PublishAnswer, type SyncOutcome } from '../sources/git-sync.js';
import type { CliIo } from './cli-io.js';

/** The config's Git sources, kept in the desired set while `run` runs. */
export interface GitSources {
  readonly count: number;
  status(): GitSyncStatus[];
  /** Fetch every source now (`POST /sources/sync`): what each did. */
  syncAll(): Promise<Record<string, SyncOutcome>>;
  stop(): void;
}

/**
 * Start a {@link GitSync} per Git source of the config, each publishing its commit's resources
 * through `publish`; resolves once each has synced once (a source that could not be fetched
 * or read is logged and retried on its interval: nothing from it changes meanwhile).
 */
export async function startGitSources(
  config: LoadedConfig,
  io: CliIo,
  log: Logger,
  publish: (source: string, resources: readonly Resource[]) => Promise<PublishAnswer>,
): Promise<GitSources> {
  const syncs = config.gitSources.map(
    (source) =>
      new GitSync({
        source,
        state: config.state,
        clock: io.clock,
        log,
        providers: config.providers,
        secrets: config.secrets,
        publish,
      }),
  );
  await Promise.all(syncs.map((s) => s.start()));
  return {
    count: syncs.length,
    status: () => syncs.map((s) => s.status()),
    async syncAll() {
      const outcomes = await Promise.all(syncs.map(async (s) => [s.name, await s.sync()] as const));
      return Object.fromEntries(outcomes);
    },
    stop() {
      for (const s of syncs) s.stop();
    },
  };
}
