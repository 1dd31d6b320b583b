import type { SupervisorTree } from './tree.js';

/**
 * What a supervisor needs to know about a child, in OTP's vocabulary.
 *
 * A supervisor supervises anything that can start, stop and report how it exited: a resource
 * actor, a server, another supervisor. It knows nothing else about it.
 */

/** OTP restart types: `permanent` always restarts, `transient` only after a crash, `temporary` never. */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** How a child exited. `normal` and `shutdown` are clean; `crash` carries the error. */
export type ExitReason = 'normal' | 'shutdown' | 'crash';

export type Exit =
  | { readonly reason: 'normal' }
  | { readonly reason: 'shutdown' }
  | { readonly reason: 'crash'; readonly error: unknown };

export type ChildType = 'worker' | 'supervisor';

/** Milliseconds to wait for a graceful stop before killing, or `brutal` to kill at once. */
export type Shutdown = number | 'brutal';

/** Handed to a child when it starts: how it tells its supervisor that it exited on its own. */
export interface ChildLink {
  readonly id: string;
  /** Report an exit the supervisor did not ask for (a crash, or a normal end of work). */
  exit(exit: Exit): void;
}

/** A running child, as its supervisor sees it. */
export interface Child {
  /**
   * Ask the child to stop (exit reason `shutdown`). Resolves when it has stopped. If it has not
   * resolved within the spec's `shutdown` time, the supervisor calls `kill`.
   */
  stop(): void | Promise<void>;
  /**
   * Stop at once, without grace. Optional: without it, a child that overruns its shutdown time
   * is abandoned, and a `brutal` one is asked to `stop()` without being waited for.
   */
  kill?(): void;
  /** A nested supervisor describes its subtree, so that `tree()` of its parent can show it. */
  tree?(): SupervisorTree;
}

export interface ChildSpec {
  /** Unique among its siblings. */
  readonly id: string;
  /** Start the child. A throw or rejection here is a failed start (counted like a crash). */
  start(link: ChildLink): Child | Promise<Child>;
  /** Default `permanent`. */
  readonly restart?: RestartType;
  /** Default 5000 for workers, `Infinity` for supervisors (OTP's defaults). */
  readonly shutdown?: Shutdown;
  /** Default `worker`. */
  readonly type?: ChildType;
}

/**
 * OTP's restart table: should a child with restart type `restart` that exited with `reason`
 * be started again?
 */
export function shouldRestart(restart: RestartType, reason: ExitReason): boolean {
  switch (restart) {
    case 'permanent':
      return true;
    case 'transient':
      return reason === 'crash';
    case 'temporary':
      return false;
  }
}

/** The spec's restart type, or OTP's default `permanent`. */
export function restartOf(spec: ChildSpec): RestartType {
  return spec.restart ?? 'permanent';
}

/** The spec's type, or `worker`. */
export function typeOf(spec: ChildSpec): ChildType {
  return spec.type ?? 'worker';
}

/** The spec's shutdown, or OTP's default: 5000 ms for a worker, `Infinity` for a supervisor. */
export function shutdownOf(spec: ChildSpec): Shutdown {
  return spec.shutdown ?? (spec.type === 'supervisor' ? Number.POSITIVE_INFINITY : 5000);
}
