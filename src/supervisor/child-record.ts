import type { TimerHandle } from '../time/clock.js';
import type { Child, ChildLink, ChildSpec, Exit } from './child-spec.js';
import type { ChildState } from './tree.js';

/** Called with the record an exit was reported through. */
export type ExitHandler = (record: ChildRecord, exit: Exit) => void;

/**
 * A dynamic supervisor's whole bookkeeping for one incarnation of one child. The record is also
 * the child's link (one object, no closure per child). Every (re)start gets a fresh record, so
 * an exit reported through an old one is recognised as stale: it is no longer the one in the map.
 * It stays small because a dynamic supervisor may hold a million of them.
 */
export class ChildRecord implements ChildLink {
  readonly spec: ChildSpec;
  readonly #onExit: ExitHandler;
  state: ChildState = 'starting';
  /** The child; while `starting` asynchronously, the promise of it. */
  child: Child | PromiseLike<Child> | undefined = undefined;
  restarts: number;
  /** Consecutive restarts, for the backoff. */
  consecutive: number;
  /** When this incarnation started; kept only with a backoff (else 0, which costs nothing). */
  startedAt: number;
  /** An exit reported while the child was still starting. */
  early: Exit | undefined = undefined;
  timer: TimerHandle | undefined = undefined;

  constructor(
    spec: ChildSpec,
    onExit: ExitHandler,
    restarts: number,
    consecutive: number,
    startedAt: number,
  ) {
    this.spec = spec;
    this.#onExit = onExit;
    this.restarts = restarts;
    this.consecutive = consecutive;
    this.startedAt = startedAt;
  }

  get id(): string {
    return this.spec.id;
  }

  exit(exit: Exit): void {
    this.#onExit(this, exit);
  }
}
