/**
 * The events a supervisor emits, typed (nanoevents). Every payload names the `supervisor`.
 *
 * | event                  | when                                                              |
 * |------------------------|-------------------------------------------------------------------|
 * | `child:started`        | a child started for the first time                                |
 * | `child:exited`         | a child exited on its own (crash, normal or shutdown), or a       |
 * |                        | restart attempt failed to start it; says whether it will restart  |
 * | `child:restarted`      | a child is running again after a restart                          |
 * | `child:killed`         | a child did not stop within its `shutdown` time (or is `brutal`)  |
 * | `child:stop-failed`    | a child's `stop` threw or rejected (it is considered gone)        |
 * | `supervisor:escalated` | too many restarts: the supervisor stopped its children and failed |
 * | `supervisor:stopped`   | the supervisor stopped (on `stop()` or `kill()`)                  |
 *
 * Children the supervisor stops itself (shutdown, or siblings in a `oneForAll` restart) emit
 * no `child:exited`. A listener that throws does not disturb the supervisor: its error is
 * re-thrown on a fresh microtask, where the process reports it as uncaught.
 */
import { createNanoEvents, type Unsubscribe } from 'nanoevents';
import type { ChildRecord } from './child-record.js';
import type { Exit } from './child-spec.js';
import type { RestartIntensityError } from './errors.js';
import { rethrowLater } from './maybe-async.js';
import type { ShutdownReport } from './shutdown.js';

export interface ChildStartedEvent {
  readonly supervisor: string;
  readonly child: string;
}

export interface ChildExitedEvent {
  readonly supervisor: string;
  readonly child: string;
  readonly exit: Exit;
  /** The child's restarts so far. */
  readonly restarts: number;
  /**
   * Whether the supervisor will start it again: its restart type and the exit reason call for a
   * restart, and the restart intensity allows one (if not, `supervisor:escalated` follows).
   */
  readonly willRestart: boolean;
}

export interface ChildRestartedEvent {
  readonly supervisor: string;
  readonly child: string;
  /** The child's restarts, this one included. */
  readonly restarts: number;
  /** How long the restart waited (restart backoff), in ms; 0 without backoff. */
  readonly delayMs: number;
}

export interface ChildKilledEvent {
  readonly supervisor: string;
  readonly child: string;
  /** How long it was given to stop, in ms; 0 for `brutal`. */
  readonly afterMs: number;
}

export interface ChildStopFailedEvent {
  readonly supervisor: string;
  readonly child: string;
  readonly error: unknown;
}

export interface SupervisorEscalatedEvent {
  readonly supervisor: string;
  /** The child whose exit was one restart too many. */
  readonly child: string;
  readonly exit: Exit;
  /** The error the supervisor failed with (and reported to its parent, if it has one). */
  readonly error: RestartIntensityError;
}

export interface SupervisorStoppedEvent {
  readonly supervisor: string;
}

/** Event name → listener. */
export interface SupervisorEvents {
  'child:started': (event: ChildStartedEvent) => void;
  'child:exited': (event: ChildExitedEvent) => void;
  'child:restarted': (event: ChildRestartedEvent) => void;
  'child:killed': (event: ChildKilledEvent) => void;
  'child:stop-failed': (event: ChildStopFailedEvent) => void;
  'supervisor:escalated': (event: SupervisorEscalatedEvent) => void;
  'supervisor:stopped': (event: SupervisorStoppedEvent) => void;
}

export type SupervisorEventName = keyof SupervisorEvents;

/**
 * A supervisor's voice: it emits the supervisor's events, each naming the supervisor, and is the
 * `ShutdownReport` its stops report through.
 *
 * A payload is built, and read from the child's record, only when someone listens, so 100,000
 * children restarting pay nothing for events nobody hears. Each method looks its event up by a
 * fixed name, which keeps every lookup on the hot path monomorphic.
 */
export class Announcer implements ShutdownReport {
  readonly #emitter = createNanoEvents<SupervisorEvents>();
  /** The supervisor's id, as every payload names it (a nested one takes its link's id on start). */
  supervisor: string;

  constructor(supervisor: string) {
    this.supervisor = supervisor;
  }

  on<E extends SupervisorEventName>(event: E, listener: SupervisorEvents[E]): Unsubscribe {
    return this.#emitter.on(event, listener);
  }

  started(record: ChildRecord): void {
    const listeners = this.#emitter.events['child:started'];
    if (listeners?.length) call(listeners, { supervisor: this.supervisor, child: record.id });
  }

  exited(record: ChildRecord, exit: Exit, willRestart: boolean): void {
    const listeners = this.#emitter.events['child:exited'];
    if (!listeners?.length) return;
    const { id: child, restarts } = record;
    call(listeners, { supervisor: this.supervisor, child, exit, restarts, willRestart });
  }

  restarted(record: ChildRecord, delayMs: number): void {
    const listeners = this.#emitter.events['child:restarted'];
    if (!listeners?.length) return;
    const { id: child, restarts } = record;
    call(listeners, { supervisor: this.supervisor, child, restarts, delayMs });
  }

  killed(child: string, afterMs: number): void {
    const listeners = this.#emitter.events['child:killed'];
    if (listeners?.length) call(listeners, { supervisor: this.supervisor, child, afterMs });
  }

  stopFailed(child: string, error: unknown): void {
    const listeners = this.#emitter.events['child:stop-failed'];
    if (listeners?.length) call(listeners, { supervisor: this.supervisor, child, error });
  }

  escalated(record: ChildRecord, exit: Exit, error: RestartIntensityError): void {
    const listeners = this.#emitter.events['supervisor:escalated'];
    if (listeners?.length) call(listeners, { supervisor: this.supervisor, child: record.id, exit, error });
  }

  stopped(): void {
    const listeners = this.#emitter.events['supervisor:stopped'];
    if (listeners?.length) call(listeners, { supervisor: this.supervisor });
  }
}

/** Call each listener; one that throws neither stops the others nor the supervisor. */
function call<P>(listeners: readonly ((payload: P) => void)[], payload: P): void {
  for (const listener of [...listeners]) {
    try {
      listener(payload);
    } catch (error) {
      rethrowLater(error);
    }
  }
}
