import { posix, resolve } from 'node:path';
import type { Clock } from '../../time/clock.js';
import type { GitEnv } from './git.js';

/** The options of `createGitSource`. */
export interface GitSourceOptions {
  /** The repository: a path, `file://`, `git://`, `http(s)://` or `ssh://` URL. */
  readonly url: string;
  /** A branch, a tag, any other ref the remote advertises (`HEAD`), or a full 40-hex commit sha. */
  readonly ref: string;
  /** The directory of the repository the resources are in. Default: the root. */
  readonly path?: string;
  /** The cache directory: the bare repository and the trees checked out. */
  readonly dir: string;
  /** The environment git runs in. Default `process.env`. */
  readonly env?: GitEnv;
  readonly clock: Clock;
  /** The longest one run of git may take. Default 120 s. */
  readonly timeoutMs?: number;
  /** More strings to hide in messages, besides the URL's and the auth header's credentials. */
  readonly secrets?: readonly string[];
}

/** Characters git refuses in a ref name, and sequences that would make it something else. */
const BAD_REF = /[\s\p{Cc}~^:?*[\\]|\.\.|@\{|^[-/.]|\/$|\.lock$|\/\/|\/\./u;

/** The options checked (misuse throws a `TypeError` naming the option), `dir` absolute, `path` normal. */
export function checkSourceOptions(options: GitSourceOptions) {
  const { url, ref, dir } = options;
  if (typeof url !== 'string' || url.trim() === '' || url.startsWith('-')) {
    throw new TypeError(`Expected \`url\` to be a repository's URL or path, got \`${String(url)}\``);
  }
  if (typeof ref !== 'string' || ref === '' || BAD_REF.test(ref)) {
    throw new TypeError(
      `Expected \`ref\` to be a branch, a tag or a full commit sha, got \`${String(ref)}\``,
    );
  }
  if (typeof dir !== 'string' || dir === '') {
    throw new TypeError(`Expected \`dir\` to be the path of a cache directory, got \`${String(dir)}\``);
  }
  if (typeof options.clock?.now !== 'function') {
    throw new TypeError('Expected `clock` to be a Clock (systemClock, or a TestClock in tests)');
  }
  const given = options.path ?? '';
  const normal = typeof given === 'string' ? posix.normalize(given.replaceAll('\\', '/')) : '';
  const path = normal === '.' || normal === './' ? '' : normal.replace(/\/+$/, '');
  if (
    typeof given !== 'string' ||
    posix.isAbsolute(path) ||
    path === '..' ||
    path.startsWith('../') ||
    path.includes('\0')
  ) {
    throw new TypeError(
      `Expected \`path\` to be a directory inside the repository, like deploy/site-a, got \`${String(given)}\``,
    );
  }
  return { url, ref, path, dir: resolve(dir) };
}
