/**
 * The lifecycle every supervisor shares: `start`, `stop`, `kill`, the `state` it shows, giving
 * up and escalating to its parent, its events, and introspection (`tree`, `whichChildren`,
 * `countChildren`). What differs between supervisors (how their children start and stop
 * together) is left to the hooks below; {@link SupervisorCore} adds how one child is started
 * and restarted.
 *
 * Supervisor work runs one operation at a time through a {@link Mailbox}, as an OTP supervisor
 * handles one message at a time: a `stop()` waits for a restart or an escalation in progress;
 * `kill()` does not wait for anything.
 */
import type { Unsubscribe } from 'nanoevents';
import type { Clock } from '../time/clock.js';
import type { ChildRecord } from './child-record.js';
import type { Child, ChildLink, Exit } from './child-spec.js';
import { ChildTable } from './child-table.js';
import { type ChildStartError, RestartIntensityError } from './errors.js';
import { Announcer, type SupervisorEvents } from './events.js';
import { Mailbox } from './mailbox.js';
import { andThen, isPromiseLike } from './maybe-async.js';
import type { CommonSettings } from './options.js';
import type { Intensity } from './restart-intensity.js';
import { killChild } from './shutdown.js';
import type { Strategy } from './strategy.js';
import type { ChildCounts, ChildInfo, SupervisorState, SupervisorTree } from './tree.js';

/**
 * What every supervisor offers, whatever holds its children. It is a `Child`, so it can be
 * supervised in turn.
 */
export interface SupervisorBase extends Child {
  readonly id: string;
  readonly state: SupervisorState;
  stop(): Promise<void>;
  /** Kill every child at once, without waiting. */
  kill(): void;
  tree(): SupervisorTree;
  whichChildren(): ChildInfo[];
  countChildren(): ChildCounts;
  on<E extends keyof SupervisorEvents>(event: E, listener: SupervisorEvents[E]): Unsubscribe;
}

export abstract class SupervisorLifecycle {
  protected readonly clock: Clock;
  protected readonly intensity: Intensity;
  protected readonly strategy: Strategy;
  /** Its events, naming it; also what its children's stops report through. */
  protected readonly announce: Announcer;
  protected readonly children = new ChildTable();
  protected readonly mailbox = new Mailbox();
  protected status: SupervisorState = 'starting';
  /** Set by stop(), kill() and giving up: exits are no longer acted on. */
  protected closing = false;
  /** Why the supervisor's own start failed. */
  protected startError: ChildStartError | undefined;
  /** Restarts carried out (a `oneForAll` restart counts once). */
  protected restarts = 0;
  readonly #explicitId: boolean;
  #started = false;
  #stopEmitted = false;
  #link: ChildLink | undefined;
  #stopping: Promise<void> | undefined;
  #resolveStop: (() => void) | undefined;

  constructor(common: CommonSettings, defaultId: string, strategy: Strategy) {
    this.clock = common.clock;
    this.intensity = common.intensity;
    this.strategy = strategy;
    this.#explicitId = common.id !== undefined;
    this.announce = new Announcer(common.id ?? defaultId);
  }

  /** Start the children (a mailbox operation); on failure, set `startError` and the state `failed`. */
  protected abstract startChildren(): unknown;
  /** Stop every child, each within its shutdown time (a mailbox operation). */
  protected abstract stopChildren(): unknown;
  /** The children in the order `kill()` kills them. */
  protected abstract inStopOrder(): Iterable<ChildRecord>;
  /** Every child is stopped (or killed): a supervisor that forgets stopped children does so here. */
  protected dropAll(): void {}

  get id(): string {
    return this.announce.supervisor;
  }

  get state(): SupervisorState {
    const s = this.status;
    return this.closing && (s === 'running' || s === 'starting') ? 'stopping' : s;
  }

  on<E extends keyof SupervisorEvents>(event: E, listener: SupervisorEvents[E]): Unsubscribe {
    return this.announce.on(event, listener);
  }

  start(link?: ChildLink): Promise<this> {
    if (this.#started) {
      return Promise.reject(
        new Error(`supervisor "${this.id}" was already started; create a new one to start again`),
      );
    }
    this.#started = true;
    this.#link = link;
    if (!this.#explicitId && link !== undefined) this.announce.supervisor = link.id;
    return new Promise((resolve, reject) => {
      this.mailbox.post(
        () => this.startChildren(),
        () => (this.status === 'failed' ? reject(this.startError) : resolve(this)),
      );
    });
  }

  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    if (!this.#started) {
      this.#started = true;
      this.status = 'stopped';
    }
    if (this.status === 'stopped' || this.status === 'failed') return Promise.resolve();
    this.close();
    this.#stopping = new Promise((resolve) => {
      this.#resolveStop = resolve; // for kill(), which does not wait its turn
      this.mailbox.post(() => this.#stopAll(), resolve);
    });
    return this.#stopping;
  }

  #stopAll(): unknown {
    if (this.status === 'stopped' || this.status === 'failed') return;
    this.status = 'stopping';
    return andThen(this.stopChildren(), () => {
      this.dropAll();
      this.#finish();
    });
  }

  #finish(): void {
    if (this.status !== 'failed') this.status = 'stopped';
    if (!this.#stopEmitted && this.status === 'stopped') {
      this.#stopEmitted = true;
      this.announce.stopped();
    }
  }

  kill(): void {
    if (this.status === 'stopped' || this.status === 'failed') return;
    this.#started = true;
    this.close();
    for (const record of this.inStopOrder()) {
      const child = record.child;
      record.child = undefined;
      record.state = 'stopped';
      if (child !== undefined && !isPromiseLike(child)) killChild(record.id, child, this.announce);
    }
    this.children.allDown();
    this.dropAll();
    this.status = 'stopped';
    this.#finish();
    this.#resolveStop?.();
  }

  /** Stop acting on exits, and cancel every restart waiting on a timer. */
  protected close(): void {
    this.closing = true;
    for (const record of this.children.values()) {
      if (record.timer === undefined) continue;
      this.clock.clearTimeout(record.timer);
      record.timer = undefined;
    }
  }

  /**
   * Too many restarts (the last, `record`'s exit): stop every child, fail, and tell the parent
   * through the link, so that it applies its own strategy. A root supervisor ends `failed`.
   */
  protected giveUp(record: ChildRecord, exit: Exit): unknown {
    const { maxRestarts, withinMs } = this.intensity;
    const error = new RestartIntensityError(this.id, record.id, exit, maxRestarts, withinMs);
    this.close();
    this.status = 'stopping';
    return andThen(this.stopChildren(), () => {
      this.dropAll();
      if (this.status !== 'stopping') return; // killed meanwhile
      this.status = 'failed';
      this.announce.escalated(record, exit, error);
      this.#link?.exit({ reason: 'crash', error });
    });
  }

  tree(): SupervisorTree {
    const { id, state, strategy, restarts } = this;
    return { id, type: 'supervisor', strategy, state, restarts, children: this.children.trees() };
  }

  whichChildren(): ChildInfo[] {
    return this.children.rows();
  }

  countChildren(): ChildCounts {
    return this.children.counts();
  }
}
