import { hasKind } from '../contract/errors.js';

/**
 * Why a file store would not open. Both mean "a person must look": nothing is retried.
 */

/** Who holds a state directory's lock, as written in its `lock` file. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** When the holder took the lock (ms since the Unix epoch, from its clock). */
  readonly startedAt: number;
  /**
   * When the holder's process started, as the system counts it (clock ticks since boot, on
   * Linux): with the pid, it names one process for good, so a reused pid is told apart.
   */
  readonly processStart?: string;
}

/** Another live process holds the state directory. */
export class StateLockedError extends Error {
  readonly kind = 'state-locked' as const;
  readonly dir: string;
  readonly lockFile: string;
  /** `undefined` when the lock file could not be read. */
  readonly holder: LockHolder | undefined;

  constructor(dir: string, lockFile: string, holder: LockHolder | undefined) {
    const who =
      holder === undefined
        ? `an unreadable lock (${lockFile})`
        : `pid ${holder.pid} (started ${startedText(holder.startedAt)} on ${holder.hostname || 'an unknown host'})`;
    super(
      `state directory ${dir} is locked by ${who}; stop that process or remove ${lockFile} if it is gone`,
    );
    this.name = 'StateLockedError';
    this.dir = dir;
    this.lockFile = lockFile;
    this.holder = holder;
  }

  static is(error: unknown): error is StateLockedError {
    return error instanceof StateLockedError || hasKind(error, 'state-locked');
  }
}

/** A state file is damaged in a way a crash cannot explain (not a torn last line). */
export class StateCorruptError extends Error {
  readonly kind = 'state-corrupt' as const;
  readonly file: string;
  /** 1-based line of the journal, when the damage is in the journal. */
  readonly line: number | undefined;

  constructor(file: string, problem: string, line?: number) {
    super(`${file}${line === undefined ? '' : `:${line}`}: ${problem}`);
    this.name = 'StateCorruptError';
    this.file = file;
    this.line = line;
  }

  static is(error: unknown): error is StateCorruptError {
    return error instanceof StateCorruptError || hasKind(error, 'state-corrupt');
  }
}

function startedText(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : 'at an unknown time';
}
