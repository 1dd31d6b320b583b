import { hasKind } from '../../contract/errors.js';
import { GitError } from './git.js';

/** Why a Git source could not give a commit or its tree. */
export type GitSourceFailure =
  /** The remote has no such branch, tag or commit. */
  | 'ref-not-found'
  /** Any other failure to fetch: the URL cannot be reached, the credentials are refused, … */
  | 'fetch-failed'
  /** A run of git went past its timeout. */
  | 'timeout'
  /** The caller's signal aborted it. */
  | 'aborted'
  /** There is no `git` on the PATH. */
  | 'git-not-found'
  /** The `git` on the PATH is older than this source needs. */
  | 'git-too-old'
  /** `checkout` was given a commit the cache does not hold (never fetched, or collected since). */
  | 'commit-not-fetched'
  /** The commit has no directory at the source's `path`. */
  | 'path-not-found'
  /** Writing the commit's tree failed (the cache directory, the disk). */
  | 'checkout-failed';

/**
 * A Git source could not fetch or check out: naming the URL (its credentials hidden), the ref,
 * and what git said (redacted too).
 *
 * ```text
 * GitSourceError: cannot fetch "release" from https://***@git.example.com/site.git: fatal: couldn't find remote ref release
 * ```
 */
export class GitSourceError extends Error {
  readonly kind = 'git-source' as const;
  readonly failure: GitSourceFailure;
  /** The source's URL, with `user:password@` written `***@`. */
  readonly url: string;
  readonly ref: string;
  /** What git wrote on standard error, redacted; empty when git said nothing. */
  readonly gitMessage: string;

  constructor(
    failure: GitSourceFailure,
    message: string,
    details: { url: string; ref: string; gitMessage?: string; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'GitSourceError';
    this.failure = failure;
    this.url = details.url;
    this.ref = details.ref;
    this.gitMessage = details.gitMessage ?? '';
  }

  static is(error: unknown): error is GitSourceError {
    return error instanceof GitSourceError || hasKind(error, 'git-source');
  }
}

/** Git's messages that mean the remote does not have what was asked for. */
const NO_SUCH_REF =
  /couldn't find remote ref|not our ref|no such remote ref|unadvertised object|invalid refspec/i;

/**
 * A failure as a {@link GitSourceError}: `doing` says what failed (`cannot fetch "main" from …`).
 * A failed fetch that says the remote lacks the ref is `ref-not-found`; any other failed run of
 * git, and any other error (the cache directory cannot be written), is `otherwise`. A
 * `GitSourceError` is returned as it is.
 */
export function sourceError(
  error: unknown,
  doing: string,
  otherwise: GitSourceFailure,
  source: { url: string; ref: string },
): GitSourceError {
  if (GitSourceError.is(error)) return error;
  const details = { url: source.url, ref: source.ref, cause: error };
  if (!GitError.is(error)) {
    const said = error instanceof Error ? error.message : String(error);
    return new GitSourceError(otherwise, `${doing}: ${said}`, details);
  }
  const failure: GitSourceFailure =
    error.failure !== 'failed'
      ? error.failure
      : otherwise === 'fetch-failed' && NO_SUCH_REF.test(error.stderr)
        ? 'ref-not-found'
        : otherwise;
  const said = error.stderr === '' ? error.detail : error.stderr;
  return new GitSourceError(failure, `${doing}: ${said}`, { ...details, gitMessage: error.stderr });
}
