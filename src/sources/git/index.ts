/**
 * Desired state from a Git repository: fetch a ref, pin it to a commit, check out that commit's
 * files, read them as resource files. See `git-source.ts`.
 */
export { GitSourceError, type GitSourceFailure } from './errors.js';
export {
  DEFAULT_GIT_TIMEOUT_MS,
  type GitEnv,
  GitError,
  type GitFailure,
  type GitOutput,
  gitVersion,
  type RunGitOptions,
  redactCredentials,
  runGit,
  urlSecrets,
} from './git.js';
export {
  createGitSource,
  type GitFetchResult,
  type GitSource,
  type GitSourceOptions,
  type GitSourceStatus,
  MIN_GIT_VERSION,
} from './git-source.js';
export {
  formatTreeIssues,
  type ReadTreeOptions,
  readResourceTree,
  type TreeIssue,
  type TreeResources,
} from './read-tree.js';
