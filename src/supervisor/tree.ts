/**
 * Introspection: what a supervisor can tell about itself and its children, as plain data.
 *
 * `tree()` of a running supervisor, with a nested one:
 *
 * ```ts
 * {
 *   id: 'root', type: 'supervisor', strategy: 'oneForOne', state: 'running', restarts: 1,
 *   children: [
 *     { id: 'store', type: 'worker', state: 'running', restarts: 1 },
 *     { id: 'users', type: 'supervisor', state: 'running', restarts: 0, strategy: 'oneForOne',
 *       children: [{ id: 'user/alice', type: 'worker', state: 'running', restarts: 0 }] },
 *   ],
 * }
 * ```
 */
import type { Child, ChildType } from './child-spec.js';
import type { Strategy } from './strategy.js';

/** A supervisor's own lifecycle. `failed`: it gave up (restart intensity) or its start failed. */
export type SupervisorState = 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/**
 * A child's state as its supervisor sees it.
 * `restarting`: exited, and waiting for its restart (backoff, or a retry after a failed start).
 * `stopped`: not running, and not about to be (a `transient` child that exited cleanly, or a
 * child of a supervisor that stopped).
 */
export type ChildState = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped';

export interface ChildTree {
  readonly id: string;
  readonly type: ChildType;
  readonly state: ChildState;
  /** How many times this supervisor has started this child again after it went down. */
  readonly restarts: number;
  /** For a running nested supervisor: its strategy. */
  readonly strategy?: Strategy;
  /** For a running nested supervisor: its children, recursively. */
  readonly children?: readonly ChildTree[];
}

export interface SupervisorTree {
  readonly id: string;
  readonly type: 'supervisor';
  readonly strategy: Strategy;
  readonly state: SupervisorState;
  /** How many restarts this supervisor has carried out (a `oneForAll` restart counts once). */
  readonly restarts: number;
  readonly children: readonly ChildTree[];
}

/** One row of `whichChildren()`, in start order (OTP's `which_children`). */
export interface ChildInfo {
  readonly id: string;
  readonly type: ChildType;
  readonly state: ChildState;
  /** The running child, if it is running. */
  readonly child: Child | undefined;
}

/** `countChildren()` (OTP's `count_children`). */
export interface ChildCounts {
  /** Children known to the supervisor, running or not. */
  readonly specs: number;
  /** Children running now. */
  readonly active: number;
  /** Children of type `supervisor`, running or not. */
  readonly supervisors: number;
  /** Children of type `worker`, running or not. */
  readonly workers: number;
}

/** The tree entry of one child; recurses into a running child that can describe itself. */
export function childTree(
  id: string,
  type: ChildType,
  state: ChildState,
  restarts: number,
  child: Child | undefined,
): ChildTree {
  if (state !== 'running' || typeof child?.tree !== 'function') return { id, type, state, restarts };
  const sub = child.tree();
  return { id, type, state, restarts, strategy: sub.strategy, children: sub.children };
}
