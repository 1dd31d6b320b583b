import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load-config.js';
import type { Provider } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { keyOf } from '../contract/resource.js';
import type { NodeProvider } from '../providers/node.js';
import { createGitSource, formatTreeIssues, GitSourceError, readResourceTree } from '../sources/git/index.js';
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

/**
 * For a one-shot command (`plan`, `apply`): each Git source fetched once and read at the
 * commit its ref names now, its resources beside the config's (a key the config declares
 * too stays the config's). The cache is the state directory's when there is one; otherwise a
 * temporary one, removed after, so a plan creates no state. A source that cannot be fetched or
 * whose commit does not read cleanly is an error: `errors`, naming the file, line and commit.
 */
export async function readGitSources(
  config: LoadedConfig,
  io: CliIo,
): Promise<
  | { ok: true; resources: Resource[]; commits: { name: string; commit: string }[] }
  | { ok: false; errors: string[] }
> {
  if (config.gitSources.length === 0) return { ok: true, resources: [], commits: [] };
  const temp = existsSync(config.state) ? undefined : mkdtempSync(join(tmpdir(), 'setpoint-git-'));
  const declared = new Set(config.resources.map(keyOf));
  const resources: Resource[] = [];
  const commits: { name: string; commit: string }[] = [];
  const errors: string[] = [];
  try {
    for (const source of config.gitSources) {
      const git = createGitSource({
        url: source.url,
        ref: source.ref,
        path: source.path,
        dir: join(temp ?? join(config.state, 'git'), source.name),
        clock: io.clock,
        secrets: config.secrets,
      });
      try {
        const { commit } = await git.fetch();
        const dir = await git.checkout(commit);
        const read = await readResourceTree({ dir, path: source.path, commit, providers: config.providers });
        if (read.issues.length > 0) {
          errors.push(`source ${source.name}: ${formatTreeIssues(read)}`);
          continue;
        }
        commits.push({ name: source.name, commit });
        for (const r of read.resources) if (!declared.has(keyOf(r))) resources.push(r);
      } catch (error) {
        if (!GitSourceError.is(error)) throw error;
        errors.push(`source ${source.name}: ${error.message}`);
      }
    }
  } finally {
    if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, resources, commits };
}

/** Each node the config's `node` providers reach, for `/status`: reachable, boot id, last beat. */
export function nodeStates(providers: readonly Provider[]): ReturnType<NodeProvider['nodes']> {
  return providers.flatMap((p) =>
    typeof (p as Partial<NodeProvider>).nodes === 'function' ? (p as NodeProvider).nodes() : [],
  );
}
