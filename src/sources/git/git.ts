import { execFile } from 'node:child_process';
import { hasKind } from '../../contract/errors.js';
import { redact } from '../../contract/redact.js';
import type { Clock } from '../../time/clock.js';

/**
 * The system `git`, run as a process: `execFile` with an array of arguments, never a shell
 * (see `docs/decisions/0021-git-through-the-system-git.md`). This is the one file in `src/` that
 * starts a process.
 *
 * Every run gets the same environment: no prompt for a password (`GIT_TERMINAL_PROMPT=0`, and
 * `GIT_ASKPASS=true` unless the caller's environment names its own helper), messages in English
 * (`LC_ALL=C`, so they can be recognised), only the transports `file`, `git`, `http`, `https`
 * and `ssh` (`GIT_ALLOW_PROTOCOL`), and none of the variables that would point git at another
 * repository or index (`GIT_DIR`, `GIT_INDEX_FILE`, … inherited from a hook, say). Every run
 * has a timeout, on the injected clock, and may be aborted; a failure is a {@link GitError}
 * whose text has every credential hidden.
 */

/** Environment variables, as `process.env`. */
export type GitEnv = Readonly<Record<string, string | undefined>>;

export interface RunGitOptions {
  readonly clock: Clock;
  /** The environment git starts from. Default `process.env`. */
  readonly env?: GitEnv;
  /** Variables set over `env` and the fixed ones, for this run only (`GIT_INDEX_FILE`). */
  readonly vars?: GitEnv;
  /**
   * Configuration for this run, passed in the environment (`GIT_CONFIG_COUNT`, `GIT_CONFIG_KEY_n`,
   * `GIT_CONFIG_VALUE_n`, after any the environment already has), never on the command line,
   * where any local user could read it: the place for a URL that holds a password.
   */
  readonly config?: readonly (readonly [key: string, value: string])[];
  /** Default {@link DEFAULT_GIT_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Strings to hide in every message, besides the credentials found in URLs and auth headers. */
  readonly secrets?: readonly string[];
}

export interface GitOutput {
  readonly stdout: string;
  readonly stderr: string;
}

export const DEFAULT_GIT_TIMEOUT_MS = 120_000;
/** After a timeout or an abort, how long git has to stop on SIGTERM before it is killed. */
const KILL_AFTER_MS = 5_000;
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;
/** Variables that would point git at another repository, work tree or index than the one given. */
const INHERITED_UNSAFE = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_PREFIX',
  'GIT_CEILING_DIRECTORIES',
];

/** Why a run of git failed. */
export type GitFailure = 'failed' | 'timeout' | 'aborted' | 'git-not-found';

/** A run of git that failed; its `message`, `command` and `stderr` have every credential hidden. */
export class GitError extends Error {
  readonly kind = 'git' as const;
  readonly failure: GitFailure;
  /** `git <args>`, redacted. */
  readonly command: string;
  /** The exit code, when git exited. */
  readonly exitCode: number | undefined;
  /** What went wrong, in a few words: `exit code 128`, `timed out after 120000 ms`. */
  readonly detail: string;
  /** What git wrote on standard error, on one line, redacted. */
  readonly stderr: string;

  constructor(
    failure: GitFailure,
    message: string,
    details: { command: string; detail: string; exitCode?: number | undefined; stderr?: string },
  ) {
    super(message);
    this.name = 'GitError';
    this.failure = failure;
    this.command = details.command;
    this.detail = details.detail;
    this.exitCode = details.exitCode;
    this.stderr = details.stderr ?? '';
  }

  static is(error: unknown): error is GitError {
    return error instanceof GitError || hasKind(error, 'git');
  }
}

/**
 * Run `git <args>` and return its output; throws a {@link GitError} when git cannot be started,
 * exits with a code other than 0, runs past the timeout or is aborted. Nothing is written to
 * git's standard input.
 */
export async function runGit(args: readonly string[], options: RunGitOptions): Promise<GitOutput> {
  const base = options.env ?? process.env;
  const config = options.config ?? [];
  const secrets = [
    ...(options.secrets ?? []),
    ...config.flatMap(([key, value]) => configSecrets(key, value)),
    ...envSecrets(base),
  ];
  const command = redactCredentials(['git', ...args].join(' '), secrets);
  const fail = (failure: GitFailure, detail: string, exitCode?: number, stderr = '') => {
    const shown = oneLine(redactCredentials(stderr, secrets));
    const message = shown === '' ? `${command}: ${detail}` : `${command}: ${detail}: ${shown}`;
    return new GitError(failure, message, { command, detail, exitCode, stderr: shown });
  };
  if (options.signal?.aborted) throw fail('aborted', 'aborted before it started');

  const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  const timer = new AbortController();
  const signal =
    options.signal === undefined ? timer.signal : AbortSignal.any([options.signal, timer.signal]);
  const clock = options.clock;
  const timeout = clock.setTimeout(() => timer.abort(), timeoutMs);
  let kill: unknown;
  try {
    return await new Promise<GitOutput>((resolve, reject) => {
      const child = execFile(
        'git',
        [...args],
        {
          env: gitEnv(base, config, options.vars),
          signal,
          maxBuffer: MAX_OUTPUT_BYTES,
          encoding: 'utf8',
          windowsHide: true,
        },
        (error, stdout, stderr) => {
          if (error === null) return resolve({ stdout, stderr });
          const code = (error as { code?: unknown }).code;
          let failure: GitError;
          if (code === 'ENOENT') failure = fail('git-not-found', 'git is not installed or not on PATH');
          else if (timer.signal.aborted) failure = fail('timeout', `timed out after ${timeoutMs} ms`);
          else if (signal.aborted) failure = fail('aborted', 'aborted');
          else if (typeof code === 'number') failure = fail('failed', `exit code ${code}`, code, stderr);
          else failure = fail('failed', `ended by ${String((error as { signal?: unknown }).signal)}`);
          // An aborted git gets SIGTERM and removes its lock files as it goes: the next run
          // starts only once it is gone (or killed, if it does not go).
          if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
            return reject(failure);
          }
          kill = clock.setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
          child.once('exit', () => reject(failure));
        },
      );
    });
  } finally {
    clock.clearTimeout(timeout);
    if (kill !== undefined) clock.clearTimeout(kill);
  }
}

/** The environment of a run: `base` made safe, the run's config appended, then `vars`. */
export function gitEnv(
  base: GitEnv,
  config: readonly (readonly [string, string])[],
  vars: GitEnv = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !INHERITED_UNSAFE.includes(name)) env[name] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  env.LC_ALL = 'C';
  env.GIT_ASKPASS = base.GIT_ASKPASS ?? 'true';
  env.GIT_ALLOW_PROTOCOL = base.GIT_ALLOW_PROTOCOL ?? 'file:git:http:https:ssh';
  if (config.length > 0) {
    const given = Number(base.GIT_CONFIG_COUNT ?? '0');
    const start = Number.isInteger(given) && given > 0 ? given : 0;
    config.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${start + i}`] = key;
      env[`GIT_CONFIG_VALUE_${start + i}`] = value;
    });
    env.GIT_CONFIG_COUNT = String(start + config.length);
  }
  for (const [name, value] of Object.entries(vars)) if (value !== undefined) env[name] = value;
  return env;
}

/** A URL's user information (`user:password@`), wherever a URL appears in a text. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]+@/gi;

/**
 * `text` with every secret hidden (as `redact` does), then every URL's `user:password@` written
 * as `***@`.
 *
 * ```ts
 * redactCredentials("fatal: unable to access 'https://bot:hunter2@example.com/r.git/'", []);
 * // "fatal: unable to access 'https://***@example.com/r.git/'"
 * ```
 */
export function redactCredentials(text: string, secrets: readonly string[] = []): string {
  return redact(text, secrets).replace(USERINFO, '$1***@');
}

/**
 * The credentials a URL carries, to hide wherever they appear: the password as written and
 * decoded; for http(s), a user name alone too, since a token is often given that way
 * (`https://TOKEN@host/…`).
 */
export function urlSecrets(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const found: string[] = [];
  const add = (value: string) => {
    found.push(value);
    try {
      found.push(decodeURIComponent(value));
    } catch {
      // Not valid percent-encoding: hidden as written.
    }
  };
  if (parsed.password !== '') add(parsed.password);
  else if (parsed.username !== '' && /^https?:$/.test(parsed.protocol)) add(parsed.username);
  return [...new Set(found)].filter((s) => s !== '');
}

/** Secrets in one config entry: a URL's credentials, an auth header's value and its token. */
function configSecrets(key: string, value: string): string[] {
  if (/url$/i.test(key)) return urlSecrets(value);
  if (/extraheader$/i.test(key)) {
    const token = /^\s*[\w-]+\s*:\s*(?:\S+\s+)?(\S.*)$/.exec(value)?.[1];
    const colon = value.indexOf(':');
    const header = colon === -1 ? value : value.slice(colon + 1).trim();
    return [value, header, ...(token === undefined ? [] : [token])].filter((s) => s.length > 0);
  }
  return [];
}

/** Secrets in the `GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n` entries an environment already has. */
function envSecrets(env: GitEnv): string[] {
  const found: string[] = [];
  for (const [name, key] of Object.entries(env)) {
    const n = /^GIT_CONFIG_KEY_(\d+)$/.exec(name)?.[1];
    const value = n === undefined ? undefined : env[`GIT_CONFIG_VALUE_${n}`];
    if (key !== undefined && value !== undefined) found.push(...configSecrets(key, value));
  }
  return found;
}

/** Git's message on one line, the end kept when it is long (the `fatal:` comes last). */
function oneLine(text: string): string {
  const joined = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join('; ');
  return joined.length > 1000 ? `…${joined.slice(-1000)}` : joined;
}

/** `git version` as numbers: `[2, 39, 5]`. */
export async function gitVersion(options: RunGitOptions): Promise<number[]> {
  const { stdout } = await runGit(['version'], options);
  const found = /git version (\d+)\.(\d+)(?:\.(\d+))?/.exec(stdout);
  if (found === null) return [];
  return found.slice(1).map((part) => Number(part ?? '0'));
}
