import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ProviderConfig } from '../config/load-config.js';
import type { GitSourceConfig } from '../config/sources-config.js';
import type { Resource } from '../contract/resource.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import {
  createGitSource,
  formatTreeIssues,
  type GitSource,
  GitSourceError,
  readResourceTree,
} from './git/index.js';

/** What publishing a commit's resources did: the counts, or why the set was refused. */
export type PublishAnswer =
  | { readonly ok: true; readonly added: number; readonly changed: number; readonly removed: number }
  | { readonly ok: false; readonly errors: readonly string[] };

export interface GitSyncOptions {
  readonly source: GitSourceConfig;
  /** The state directory: the cache is `<state>/git/<name>`. */
  readonly state: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Kind → provider, to refuse a commit with a kind nothing serves. */
  readonly providers: Readonly<Record<string, ProviderConfig>>;
  /** Values to hide (the URL's credentials are hidden anyway). */
  readonly secrets: readonly string[];
  /** Make `resources` the whole of this source's desired set, or say why not. */
  publish(source: string, resources: readonly Resource[]): Promise<PublishAnswer>;
}

/** What `/status` shows of a Git source. */
export interface GitSyncStatus {
  readonly name: string;
  readonly url: string;
  readonly ref: string;
  readonly path: string;
  /** The commit whose resources are the source's desired set now (the last good one). */
  readonly commit: string | null;
  /** The commit the ref named at the last fetch (differs from `commit` while it is refused). */
  readonly fetched: string | null;
  readonly fetchedAt: number | null;
  readonly syncedAt: number | null;
  /** Why the last fetch or commit was not taken; `null` when it was. */
  readonly error: string | null;
}

export type SyncOutcome =
  | { readonly result: 'unchanged'; readonly commit: string }
  | {
      readonly result: 'applied';
      readonly commit: string;
      readonly added: number;
      readonly changed: number;
      readonly removed: number;
    }
  | { readonly result: 'refused'; readonly commit: string; readonly error: string }
  | { readonly result: 'failed'; readonly error: string };

/**
 * One Git source kept in the desired state: fetched every `interval` and whenever `sync()` is
 * called (a push hook, `POST /sources/sync`), pinned to the commit fetched. A commit whose files
 * do not read as a valid set (YAML, schema, kinds, dependencies), or that the store refuses,
 * changes nothing: the last good commit keeps running and the status says why, naming the file,
 * line and commit. A failed fetch does the same. Syncs never overlap: a call during one waits
 * for it and then runs once more.
 */
export class GitSync {
  readonly #o: GitSyncOptions;
  readonly #git: GitSource;
  #commit: string | null = null;
  #fetched: string | null = null;
  #fetchedAt: number | null = null;
  #syncedAt: number | null = null;
  #error: string | null = null;
  #running: Promise<SyncOutcome> | undefined;
  #again: Promise<SyncOutcome> | undefined;
  #timer: TimerHandle | undefined;
  #stopped = false;
  #abort = new AbortController();

  constructor(options: GitSyncOptions) {
    this.#o = options;
    const { source } = options;
    this.#git = createGitSource({
      url: source.url,
      ref: source.ref,
      path: source.path,
      dir: join(options.state, 'git', source.name),
      clock: options.clock,
      secrets: options.secrets,
    });
  }

  get name(): string {
    return this.#o.source.name;
  }

  /** Sync now, then every interval. Resolves after the first sync. */
  async start(): Promise<SyncOutcome> {
    const first = await this.sync();
    this.#arm();
    return first;
  }

  stop(): void {
    this.#stopped = true;
    this.#abort.abort(new Error('stopping'));
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
  }

  /** Fetch and take the commit now (coalesced with one in flight). */
  sync(): Promise<SyncOutcome> {
    if (this.#running === undefined) {
      this.#running = this.#once().finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    this.#again ??= this.#running.then(() => {
      this.#again = undefined;
      return this.sync();
    });
    return this.#again;
  }

  status(): GitSyncStatus {
    const shown = this.#git.describe();
    return {
      name: this.name,
      url: shown.url,
      ref: shown.ref,
      path: shown.path,
      commit: this.#commit,
      fetched: this.#fetched,
      fetchedAt: this.#fetchedAt,
      syncedAt: this.#syncedAt,
      error: this.#error,
    };
  }

  #arm(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.sync().finally(() => this.#arm());
    }, this.#o.source.intervalMs);
  }

  async #once(): Promise<SyncOutcome> {
    const { log } = this.#o;
    const source = this.name;
    const signal = this.#abort.signal;
    let commit: string;
    try {
      ({ commit } = await this.#git.fetch(signal));
      this.#fetched = commit;
      this.#fetchedAt = this.#o.clock.now();
    } catch (error) {
      const message = GitSourceError.is(error) ? error.message : String(error);
      this.#error = `fetch failed: ${message}`;
      log.warn(
        { source, commit: this.#commit },
        `source ${source}: ${this.#error}; the last good commit keeps running`,
      );
      return { result: 'failed', error: this.#error };
    }
    if (commit === this.#commit) {
      this.#error = null;
      return { result: 'unchanged', commit };
    }
    const dir = await this.#git.checkout(commit, signal);
    const read = await readResourceTree({
      dir,
      path: this.#o.source.path,
      commit,
      providers: this.#o.providers,
    });
    const refused = (error: string): SyncOutcome => {
      this.#error = error;
      log.error(
        { source, commit, running: this.#commit },
        `source ${source}: commit ${commit.slice(0, 12)} refused; ${this.#commit === null ? 'nothing from it runs' : `commit ${this.#commit.slice(0, 12)} keeps running`}:\n${error}`,
      );
      return { result: 'refused', commit, error };
    };
    if (read.issues.length > 0) return refused(formatTreeIssues(read));
    const answer = await this.#o.publish(source, read.resources);
    if (!answer.ok) return refused(answer.errors.join('\n'));
    this.#commit = commit;
    this.#syncedAt = this.#o.clock.now();
    this.#error = null;
    const { added, changed, removed } = answer;
    log.info(
      { source, commit, added, changed, removed },
      `source ${source}: now at commit ${commit.slice(0, 12)}`,
    );
    return { result: 'applied', commit, added, changed, removed };
  }
}
