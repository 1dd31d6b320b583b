import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GitSourceError, sourceError } from './errors.js';
import { GitError, gitVersion, type RunGitOptions, redactCredentials, runGit, urlSecrets } from './git.js';
import { checkSourceOptions, type GitSourceOptions } from './options.js';
import { isDirectory, prune, SHA } from './trees.js';

export type { GitSourceOptions } from './options.js';

export interface GitFetchResult {
  /** The full sha of the commit the ref named at this fetch. */
  readonly commit: string;
  /** The commit the cache held before this fetch (`undefined` on the first). */
  readonly previous: string | undefined;
}

/** What `status` shows of a Git source. */
export interface GitSourceStatus {
  /** The URL, with `user:password@` written `***@`. */
  readonly url: string;
  readonly ref: string;
  /** The directory in the repository; `''` for the root. */
  readonly path: string;
  /** The commit of the last successful fetch. */
  readonly commit?: string;
  /** When it was, by the source's clock (ms). */
  readonly fetchedAt?: number;
}

export interface GitSource {
  /** Fetch the ref and resolve it to a commit; throws a {@link GitSourceError}. */
  fetch(signal?: AbortSignal): Promise<GitFetchResult>;
  /**
   * Write the files of `commit` (a full sha the cache holds) under `<dir>/trees/<commit>`, once,
   * and return the directory of `path` in it. Only the last two trees are kept. Throws a
   * {@link GitSourceError}; a `TypeError` when `commit` is not a full sha.
   */
  checkout(commit: string, signal?: AbortSignal): Promise<string>;
  describe(): GitSourceStatus;
}

/** Git 2.31 is the first to read configuration from `GIT_CONFIG_COUNT`. */
export const MIN_GIT_VERSION: readonly [number, number] = [2, 31];

const SOURCE_REF = 'refs/setpoint/source';
const REMOTE = 'setpoint-source';
/** Options every run of git in the cache gets. */
const SAFE_CONFIG = ['-c', 'core.hooksPath=/dev/null', '-c', 'gc.autoDetach=false'];

/**
 * Desired state from a Git repository, pinned to commits.
 *
 * ```ts
 * const source = createGitSource({ url, ref: 'main', path: 'deploy/site-a', dir: '.setpoint/git', clock });
 * const { commit, previous } = await source.fetch(); // the branch's head, as a full sha
 * const tree = await source.checkout(commit);        // <dir>/trees/<commit>/deploy/site-a
 * const { resources, issues } = await readResourceTree({ dir: tree, path: 'deploy/site-a', commit });
 * ```
 *
 * `fetch` asks the remote for the ref (a branch, a tag or a full commit sha) and resolves it to
 * a commit; `checkout` writes that commit's files, and only that commit's: every read of
 * resources is of an exact sha, never of a ref that may move while it is read.
 *
 * The cache `dir` holds a bare repository (`repo.git`, made on first use, fetched into with
 * `--depth=1`) and the trees checked out (`trees/<commit>`, the last two kept). One source per
 * cache directory, one process at a time; the calls of one source run one after the other.
 *
 * Credentials: either in the URL (`https://user:${env:TOKEN}@host/repo.git`, substituted by the
 * caller), which git is given through its environment rather than its command line; or an
 * `http.extraHeader` in `env` (`GIT_CONFIG_COUNT=1`, `GIT_CONFIG_KEY_0=http.extraHeader`,
 * `GIT_CONFIG_VALUE_0=Authorization: Bearer …`); or whatever credential helper or SSH key the
 * user running setpoint has. Both the URL's and the header's credentials are hidden in every
 * message, as are `secrets`.
 */
export function createGitSource(options: GitSourceOptions): GitSource {
  const { url, ref, path, dir } = checkSourceOptions(options);
  const repo = join(dir, 'repo.git');
  const trees = join(dir, 'trees');
  const secrets = [...(options.secrets ?? []), ...urlSecrets(url)];
  const shownUrl = redactCredentials(url, secrets);
  const where = { url: shownUrl, ref };
  const run: RunGitOptions = {
    clock: options.clock,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    secrets,
  };
  const git = (args: readonly string[], signal?: AbortSignal, more: Partial<RunGitOptions> = {}) =>
    runGit([`--git-dir=${repo}`, ...SAFE_CONFIG, ...args], {
      ...run,
      ...more,
      ...(signal === undefined ? {} : { signal }),
    });
  /** The commit a revision names in the cache, or `undefined`. */
  const resolveCommit = async (revision: string, signal?: AbortSignal) => {
    try {
      const { stdout } = await git(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`], signal);
      const sha = stdout.trim();
      return SHA.test(sha) ? sha : undefined;
    } catch (error) {
      if (GitError.is(error) && error.failure === 'failed') return undefined;
      throw sourceError(error, `cannot read the cache of ${shownUrl}`, 'fetch-failed', where);
    }
  };

  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  let ready = false;
  const prepare = async (signal?: AbortSignal) => {
    if (ready) return;
    try {
      const version = await gitVersion({ ...run, ...(signal === undefined ? {} : { signal }) });
      const [major = 0, minor = 0] = version;
      if (major < MIN_GIT_VERSION[0] || (major === MIN_GIT_VERSION[0] && minor < MIN_GIT_VERSION[1])) {
        throw new GitSourceError(
          'git-too-old',
          `git ${version.join('.')} is too old for a Git source: ${MIN_GIT_VERSION.join('.')} or later is needed`,
          where,
        );
      }
      await mkdir(dir, { recursive: true });
      await runGit(['init', '--bare', '--quiet', repo], { ...run, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw sourceError(error, `cannot prepare the cache of ${shownUrl}`, 'fetch-failed', where);
    }
    ready = true;
  };

  let last: { commit: string; at: number } | undefined;
  /** The trees in use, most recent first: the two `checkout` keeps. */
  let recent: string[] = [];

  const fetch = (signal?: AbortSignal) =>
    serially(async (): Promise<GitFetchResult> => {
      await prepare(signal);
      const previous = await resolveCommit(SOURCE_REF, signal);
      // A commit sha names the same files forever: one the cache holds is not asked for again.
      const held = SHA.test(ref) ? await resolveCommit(ref, signal) : undefined;
      try {
        if (held !== undefined) {
          await git(['update-ref', SOURCE_REF, held], signal);
        } else {
          const args = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules'];
          await git([...args, '--depth=1', REMOTE, `+${ref}:${SOURCE_REF}`], signal, {
            config: [[`remote.${REMOTE}.url`, url]],
          });
        }
      } catch (error) {
        throw sourceError(
          error,
          `cannot fetch ${JSON.stringify(ref)} from ${shownUrl}`,
          'fetch-failed',
          where,
        );
      }
      const commit = await resolveCommit(SOURCE_REF, signal);
      if (commit === undefined) {
        throw new GitSourceError(
          'ref-not-found',
          `cannot fetch ${JSON.stringify(ref)} from ${shownUrl}: it does not name a commit`,
          where,
        );
      }
      last = { commit, at: options.clock.now() };
      return { commit, previous };
    });

  const checkout = (commit: string, signal?: AbortSignal) => {
    if (typeof commit !== 'string' || !SHA.test(commit)) {
      const message = `Expected \`commit\` to be a full 40-hex commit sha, got \`${String(commit)}\``;
      return Promise.reject(new TypeError(message));
    }
    return serially(async (): Promise<string> => {
      await prepare(signal);
      const target = join(trees, commit);
      const inside = path === '' ? target : join(target, ...path.split('/'));
      if (!(await isDirectory(inside))) await writeTree(commit, target, signal);
      recent = [commit, ...recent.filter((c) => c !== commit)].slice(0, 2);
      await prune(trees, recent);
      return inside;
    });
  };

  const writeTree = async (commit: string, target: string, signal?: AbortSignal) => {
    const doing = `cannot check out ${commit} of ${shownUrl}`;
    if ((await resolveCommit(commit, signal)) !== commit) {
      throw new GitSourceError('commit-not-fetched', `${doing}: the cache does not hold this commit`, where);
    }
    if (path !== '') {
      const type = await git(['cat-file', '-t', `${commit}:${path}`], signal).then(
        (out) => out.stdout.trim(),
        (error: unknown) => {
          if (GitError.is(error) && error.failure === 'failed') return 'missing';
          throw sourceError(error, doing, 'checkout-failed', where);
        },
      );
      if (type !== 'tree') {
        throw new GitSourceError(
          'path-not-found',
          `${doing}: the commit has no directory ${JSON.stringify(path)}${type === 'missing' ? '' : ` (it is a ${type})`}`,
          where,
        );
      }
    }
    const temp = join(trees, `.tmp-${commit}`);
    const index = join(trees, `.tmp-${commit}.index`);
    try {
      await rm(temp, { recursive: true, force: true });
      await mkdir(temp, { recursive: true });
      // Symbolic links are written as small files holding their target: nothing in a tree
      // leads out of it. Line endings are left as committed.
      await git(
        [
          '-c',
          'core.symlinks=false',
          '-c',
          'core.autocrlf=false',
          '--literal-pathspecs',
          `--work-tree=${temp}`,
          'checkout',
          '--quiet',
          '--force',
          commit,
          '--',
          path === '' ? '.' : path,
        ],
        signal,
        { vars: { GIT_INDEX_FILE: index } },
      );
      // A tree left by a source with another `path` on the same cache is replaced whole.
      await rm(target, { recursive: true, force: true });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw sourceError(error, doing, 'checkout-failed', where);
    } finally {
      await rm(index, { force: true });
    }
  };

  const describe = (): GitSourceStatus => ({
    url: shownUrl,
    ref,
    path,
    ...(last === undefined ? {} : { commit: last.commit, fetchedAt: last.at }),
  });

  return { fetch, checkout, describe };
}
