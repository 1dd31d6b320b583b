/**
 * The errors a supervisor produces. Each carries a `kind` and a static `is` guard.
 *
 * | error                   | when                                                           |
 * |-------------------------|----------------------------------------------------------------|
 * | `RestartIntensityError` | too many restarts: the supervisor gave up and escalates this   |
 * | `ChildStartError`       | a child's `start` threw or rejected                            |
 * | `ChildLimitError`       | `startChild` on a dynamic supervisor: the id is taken, or      |
 * |                         | `maxChildren` is reached, or the supervisor is not running     |
 *
 * Misuse (a bad option, a malformed spec) throws a `TypeError` instead, naming the option.
 */
import { hasKind } from '../contract/errors.js';
import type { Exit } from './child-spec.js';

function describeExit(exit: Exit): string {
  if (exit.reason !== 'crash') return `exited (${exit.reason})`;
  const error = exit.error;
  return `crashed (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`;
}

/** A supervisor exceeded its restart intensity, stopped its children, and failed with this. */
export class RestartIntensityError extends Error {
  readonly kind = 'restart-intensity' as const;
  readonly supervisor: string;
  /** The child whose exit was one restart too many. */
  readonly child: string;
  readonly exit: Exit;
  readonly maxRestarts: number;
  readonly withinMs: number;

  constructor(supervisor: string, child: string, exit: Exit, maxRestarts: number, withinMs: number) {
    super(
      `supervisor "${supervisor}" gave up: more than ${maxRestarts} restart(s) within ${withinMs} ms; ` +
        `the last, child "${child}", ${describeExit(exit)}`,
      exit.reason === 'crash' ? { cause: exit.error } : undefined,
    );
    this.name = 'RestartIntensityError';
    this.supervisor = supervisor;
    this.child = child;
    this.exit = exit;
    this.maxRestarts = maxRestarts;
    this.withinMs = withinMs;
  }

  static is(error: unknown): error is RestartIntensityError {
    return error instanceof RestartIntensityError || hasKind(error, 'restart-intensity');
  }
}

/** A child's `start` threw or rejected; `cause` is what it threw. */
export class ChildStartError extends Error {
  readonly kind = 'child-start' as const;
  readonly supervisor: string;
  readonly child: string;

  constructor(supervisor: string, child: string, cause: unknown) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`supervisor "${supervisor}" could not start child "${child}": ${detail}`, { cause });
    this.name = 'ChildStartError';
    this.supervisor = supervisor;
    this.child = child;
  }

  static is(error: unknown): error is ChildStartError {
    return error instanceof ChildStartError || hasKind(error, 'child-start');
  }
}

/** Why a dynamic supervisor refused `startChild`. */
export type ChildLimitReason = 'id-taken' | 'max-children' | 'not-running';

/** A dynamic supervisor refused to start a child; nothing was started. */
export class ChildLimitError extends Error {
  readonly kind = 'child-limit' as const;
  readonly reason: ChildLimitReason;
  readonly supervisor: string;
  readonly child: string;

  constructor(reason: ChildLimitReason, supervisor: string, child: string, detail: string) {
    super(`supervisor "${supervisor}" cannot start child "${child}": ${detail}`);
    this.name = 'ChildLimitError';
    this.reason = reason;
    this.supervisor = supervisor;
    this.child = child;
  }

  static is(error: unknown): error is ChildLimitError {
    return error instanceof ChildLimitError || hasKind(error, 'child-limit');
  }
}
