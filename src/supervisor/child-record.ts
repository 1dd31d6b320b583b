import type { TimerHandle } from '../time/clock.js';
import {
  type Child,
  type ChildLink,
  type ChildSpec,
  type ChildType,
  type Exit,
  type RestartType,
  restartOf,
  type Shutdown,
  shutdownOf,
  typeOf,
} from './child-spec.js';
import type { ChildState } from './tree.js';

/** Called with the record an exit was reported through. */
export type ExitHandler = (record: ChildRecord, exit: Exit) => void;

/**
 * A supervisor's whole bookkeeping for one incarnation of one child. The record is also the
 * child's link (one object, no closure per child). Every (re)start gets a fresh record from
 * {@link ChildRecord.next}, so an exit reported through an old one is recognised as stale: it is
 * no longer the record the supervisor holds for that id.
 *
 * It stays small because a dynamic supervisor may hold a million of them: the spec's defaults
 * (type, restart, shutdown) are read through getters on the prototype, not copied per child.
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
  /** When this incarnation started (or last failed to); kept only with a backoff (else 0). */
  startedAt: number;
  /** An exit reported while the child was still starting, to be acted on once it runs. */
  early: Exit | undefined = undefined;
  /** The timer of a restart this record waits for (backoff, or a retry after a failed start). */
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

  get type(): ChildType {
    return typeOf(this.spec);
  }

  get restart(): RestartType {
    return restartOf(this.spec);
  }

  get shutdown(): Shutdown {
    return shutdownOf(this.spec);
  }

  /** The child, if it is running (not while it starts or stops). */
  get running(): Child | undefined {
    return this.state === 'running' ? (this.child as Child) : undefined;
  }

  /** The record of this child's next incarnation: a new link, with the counts carried over. */
  next(): ChildRecord {
    return new ChildRecord(this.spec, this.#onExit, this.restarts, this.consecutive, this.startedAt);
  }

  exit(exit: Exit): void {
    this.#onExit(this, exit);
  }
}
