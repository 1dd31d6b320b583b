import {
  type Child,
  type ChildLink,
  type ChildSpec,
  type ChildType,
  type RestartType,
  restartOf,
  type Shutdown,
  shutdownOf,
  typeOf,
} from './child-spec.js';
import type { ChildState } from './tree.js';

/**
 * A supervisor's bookkeeping for one child: its spec (with defaults applied) and what it knows
 * of the child's current incarnation. The supervisor keeps these in a map, beside the ids in
 * start order (Erlang's `{Ids, Db}`).
 */
export interface Entry {
  readonly id: string;
  readonly spec: ChildSpec;
  readonly type: ChildType;
  readonly restart: RestartType;
  readonly shutdown: Shutdown;
  state: ChildState;
  /** The running child (also while it is being stopped). */
  child: Child | undefined;
  /** The current incarnation's link; an exit reported through any other link is stale. */
  link: ChildLink | undefined;
  restarts: number;
  /** Consecutive restarts, for the backoff. */
  consecutive: number;
  /** When the current incarnation started (or last failed to). */
  startedAt: number;
  /** The restart plan this child waits for (0: none). */
  waitingFor: number;
  /** How long that plan waited before starting it. */
  delayMs: number;
}

/** The entry of a child that has not started yet. */
export function newEntry(spec: ChildSpec): Entry {
  return {
    id: spec.id,
    spec,
    type: typeOf(spec),
    restart: restartOf(spec),
    shutdown: shutdownOf(spec),
    state: 'stopped',
    child: undefined,
    link: undefined,
    restarts: 0,
    consecutive: 0,
    startedAt: 0,
    waitingFor: 0,
    delayMs: 0,
  };
}
