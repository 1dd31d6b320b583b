/**
 * A supervisor starts a fixed list of children, watches them, and restarts them when they exit,
 * with the semantics of OTP's `supervisor`.
 *
 * ```ts
 * const sup = createSupervisor({
 *   id: 'app',
 *   strategy: 'oneForOne',          // restart only the child that exited
 *   maxRestarts: 3, withinMs: 5000, // more than 3 restarts in 5 s: give up
 *   clock: systemClock,
 *   children: [
 *     { id: 'db', start: (link) => startDb(link) },
 *     { id: 'web', start: (link) => startWeb(link), restart: 'transient' },
 *   ],
 * });
 * await sup.start();
 * sup.on('child:restarted', (e) => console.log(`${e.child} restarted (${e.restarts})`));
 * ```
 *
 * - Children start one after another, in list order. A child whose start fails fails the whole
 *   start: those already started are stopped in reverse order and `start()` rejects.
 * - A child reports that it exited through the `link` it was started with. Its restart type
 *   (`permanent`, `transient`, `temporary`) and the exit reason say whether it comes back; the
 *   strategy says which siblings go down and come back with it (see `strategy.ts`). Stops run in
 *   reverse start order, starts in start order. Every child incarnation gets its own link, so an
 *   exit reported by one that was already stopped or replaced is ignored.
 * - More than `maxRestarts` restarts within `withinMs` (see `restart-intensity.ts`): the
 *   supervisor stops all its children in reverse start order, emits `supervisor:escalated`,
 *   and exits with a crash through its own link, so its parent applies its own strategy. A root
 *   supervisor (started without a link) ends in state `failed`.
 * - With `restartBackoff`, a restart waits (see `restart-backoff.ts`); without it, a restart
 *   happens within the call that reported the exit when the children answer synchronously.
 *   A restart whose start fails counts as another crash, and is retried on a timer (OTP's
 *   `try_again_restart`) so that other work gets its turn.
 * - `stop()` stops the children in reverse start order, each within its `shutdown` time.
 *
 * A supervisor is itself a `Child`, so supervisors nest:
 * `{ id: 'sub', type: 'supervisor', start: (link) => createSupervisor({ ... }).start(link) }`.
 */
import { createNanoEvents, type Unsubscribe } from 'nanoevents';
import { describe } from '../contract/describe.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { type Entry, newEntry } from './child-entry.js';
import { type Child, type ChildLink, type ChildSpec, type Exit, shouldRestart } from './child-spec.js';
import { ChildStartError, RestartIntensityError } from './errors.js';
import { emit, type SupervisorEvents } from './events.js';
import { Mailbox } from './mailbox.js';
import { andThen, isPromiseLike } from './maybe-async.js';
import { type CommonOptions, checkCommon, checkExit, checkSpec, checkStrategy } from './options.js';
import type { RestartBackoff, RestartBackoffOptions } from './restart-backoff.js';
import { type Intensity, recordRestart } from './restart-intensity.js';
import { killChild, type ShutdownReport, shutdownChild } from './shutdown.js';
import { planRestart, type Strategy } from './strategy.js';
import {
  type ChildCounts,
  type ChildInfo,
  childTree,
  type SupervisorState,
  type SupervisorTree,
} from './tree.js';

export interface SupervisorOptions extends CommonOptions {
  /** Names the supervisor in events, errors and trees. Default: its link's id, else `supervisor`. */
  readonly id?: string;
  /** Default `oneForOne`. */
  readonly strategy?: Strategy;
  /** Restarts tolerated within `withinMs`. Default 3. */
  readonly maxRestarts?: number;
  /** Default 5000. */
  readonly withinMs?: number;
  /** Started in this order; stopped in reverse. Ids must be unique. */
  readonly children: readonly ChildSpec[];
  /** Timers (shutdown timeouts, backoff) go through this clock only. */
  readonly clock: Clock;
  /** For the restart backoff's random factor; needed when it is above 0 (`systemRandom`, or a `seededRandom` in tests). */
  readonly random?: Random;
  /** Wait before restarts, growing with consecutive crashes. Default: restart at once. */
  readonly restartBackoff?: RestartBackoffOptions;
}

/** A running (or stopped) supervisor. It is a `Child`, so it can be supervised in turn. */
export interface Supervisor extends Child {
  readonly id: string;
  readonly state: SupervisorState;
  /** Start the children in order. `link`: the parent's, when nested. Resolves to the supervisor. */
  start(link?: ChildLink): Promise<Supervisor>;
  /** Stop the children in reverse start order, each within its `shutdown` time. */
  stop(): Promise<void>;
  /** Kill every child at once, without waiting. */
  kill(): void;
  tree(): SupervisorTree;
  whichChildren(): ChildInfo[];
  countChildren(): ChildCounts;
  on<E extends keyof SupervisorEvents>(event: E, listener: SupervisorEvents[E]): Unsubscribe;
}

function isChild(value: unknown): value is Child {
  return typeof value === 'object' && value !== null && typeof (value as Child).stop === 'function';
}

/** Create a supervisor. Nothing starts until `start()`. Throws a `TypeError` for bad options. */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  return new StaticSupervisor(options);
}

class StaticSupervisor implements Supervisor {
  readonly #clock: Clock;
  readonly #strategy: Strategy;
  readonly #intensity: Intensity;
  readonly #backoff: RestartBackoff | undefined;
  readonly #explicitId: boolean;
  #id: string;
  // Erlang's {Ids, Db}: the start order, and the children by id.
  readonly #ids: string[] = [];
  readonly #db = new Map<string, Entry>();
  #state: SupervisorState = 'starting';
  #started = false;
  /** Set by stop(), kill() and giving up: exits are no longer acted on. */
  #closing = false;
  #stopEmitted = false;
  #window: readonly number[] = [];
  #restarts = 0;
  #plans = 0;
  #link: ChildLink | undefined;
  #stopping: Promise<void> | undefined;
  #startError: ChildStartError | undefined;
  #resolveStop: (() => void) | undefined;
  readonly #timers = new Set<TimerHandle>();
  readonly #mailbox = new Mailbox();
  readonly #events = createNanoEvents<SupervisorEvents>();
  readonly #report: ShutdownReport = {
    killed: (child, afterMs) => emit(this.#events, 'child:killed', { supervisor: this.#id, child, afterMs }),
    stopFailed: (child, error) =>
      emit(this.#events, 'child:stop-failed', { supervisor: this.#id, child, error }),
  };

  constructor(options: SupervisorOptions) {
    const common = checkCommon(options, '{ children: [...], clock: systemClock }');
    this.#clock = common.clock;
    this.#intensity = common.intensity;
    this.#backoff = common.backoff;
    this.#strategy = checkStrategy(options.strategy ?? 'oneForOne');
    this.#explicitId = common.id !== undefined;
    this.#id = common.id ?? 'supervisor';
    if (!Array.isArray(options.children)) {
      throw new TypeError(
        `Expected \`children\` to be an array of child specs, got ${describe(options.children)}`,
      );
    }
    options.children.forEach((spec, i) => {
      checkSpec(spec, `children[${i}]`);
      if (this.#db.has(spec.id)) {
        throw new TypeError(`Expected child ids to be unique, got \`"${spec.id}"\` twice (children[${i}])`);
      }
      this.#ids.push(spec.id);
      this.#db.set(spec.id, newEntry(spec));
    });
  }

  get id(): string {
    return this.#id;
  }

  get state(): SupervisorState {
    const s = this.#state;
    return this.#closing && (s === 'running' || s === 'starting') && this.#started ? 'stopping' : s;
  }

  on<E extends keyof SupervisorEvents>(event: E, listener: SupervisorEvents[E]): Unsubscribe {
    return this.#events.on(event, listener);
  }

  start(link?: ChildLink): Promise<Supervisor> {
    if (this.#started) {
      return Promise.reject(
        new Error(`supervisor "${this.#id}" was already started; create a new one to start again`),
      );
    }
    this.#started = true;
    this.#link = link;
    if (!this.#explicitId && link !== undefined) this.#id = link.id;
    return new Promise((resolve, reject) => {
      this.#mailbox.post(
        () => this.#startFrom(0),
        () => (this.#state === 'failed' ? reject(this.#startError) : resolve(this)),
      );
    });
  }

  /** Start children `i..` in order; on a failure stop those started, in reverse, and fail. */
  #startFrom(i: number): unknown {
    for (; i < this.#ids.length; i++) {
      if (this.#state !== 'starting') return; // killed meanwhile
      const entry = this.#db.get(this.#ids[i]!)!;
      const launched = this.#launch(entry);
      if (isPromiseLike<ChildStartError | undefined>(launched)) {
        const next = i + 1;
        return launched.then((error) => (error ? this.#abortStart(error) : this.#startedThen(entry, next)));
      }
      if (launched) return this.#abortStart(launched);
      emit(this.#events, 'child:started', { supervisor: this.#id, child: entry.id });
    }
    if (this.#state === 'starting') this.#state = 'running';
    return;
  }

  #startedThen(entry: Entry, next: number): unknown {
    if (entry.state === 'running')
      emit(this.#events, 'child:started', { supervisor: this.#id, child: entry.id });
    return this.#startFrom(next);
  }

  #abortStart(error: ChildStartError): unknown {
    this.#startError = error;
    const started = this.#ids.filter((id) => this.#db.get(id)!.state === 'running').reverse();
    return andThen(this.#stopEach(started, 0, false), () => {
      if (this.#state === 'starting') this.#state = 'failed';
    });
  }

  /** Start one incarnation of `entry`. Resolves to the start error, or undefined on success. */
  #launch(entry: Entry): ChildStartError | undefined | Promise<ChildStartError | undefined> {
    const link: ChildLink = { id: entry.id, exit: (exit) => this.#onExit(link, exit) };
    entry.link = link;
    entry.state = 'starting';
    let started: Child | PromiseLike<Child>;
    try {
      started = entry.spec.start(link);
    } catch (error) {
      return this.#launchFailed(entry, link, error);
    }
    if (isPromiseLike<Child>(started)) {
      return Promise.resolve(started).then(
        (child) => this.#launched(entry, link, child),
        (error: unknown) => this.#launchFailed(entry, link, error),
      );
    }
    return this.#launched(entry, link, started);
  }

  #launched(entry: Entry, link: ChildLink, child: unknown): ChildStartError | undefined {
    if (!isChild(child)) {
      const error = new TypeError(
        `Expected \`start\` of child "${entry.id}" to return a Child (an object with a stop() method) or a promise of one, got ${describe(child)}`,
      );
      return this.#launchFailed(entry, link, error);
    }
    if (entry.link !== link) {
      // The supervisor was killed while this child was starting: it is not wanted any more.
      killChild(entry.id, child, this.#report);
      return undefined;
    }
    entry.child = child;
    entry.state = 'running';
    entry.startedAt = this.#clock.now();
    return undefined;
  }

  #launchFailed(entry: Entry, link: ChildLink, error: unknown): ChildStartError {
    if (entry.link === link) {
      entry.link = undefined;
      entry.state = 'stopped';
      entry.startedAt = this.#clock.now();
    }
    return new ChildStartError(this.#id, entry.id, error);
  }

  #onExit(link: ChildLink, exit: Exit): void {
    if (this.#closing || this.#state === 'failed' || this.#state === 'stopped') return;
    const checked = checkExit(exit, link.id);
    this.#mailbox.post(() => this.#handleExit(link, checked));
  }

  #handleExit(link: ChildLink, exit: Exit): unknown {
    if (this.#closing || this.#state !== 'running') return;
    const entry = this.#db.get(link.id);
    if (entry === undefined || entry.link !== link || entry.state !== 'running') return; // stale
    entry.link = undefined;
    entry.child = undefined;
    if (shouldRestart(entry.restart, exit.reason)) return this.#restart(entry, exit, false);
    entry.state = 'stopped';
    this.#exited(entry, exit, false);
    if (entry.restart === 'temporary') this.#remove(entry.id);
    return;
  }

  #exited(entry: Entry, exit: Exit, willRestart: boolean): void {
    const { id: supervisor } = this;
    emit(this.#events, 'child:exited', {
      supervisor,
      child: entry.id,
      exit,
      restarts: entry.restarts,
      willRestart,
    });
  }

  /** Count a restart of `entry` (which exited), then carry out the strategy's plan, or give up. */
  #restart(entry: Entry, exit: Exit, retry: boolean): unknown {
    entry.state = 'restarting';
    const now = this.#clock.now();
    const { window, verdict } = recordRestart(this.#window, now, this.#intensity);
    this.#window = window;
    this.#exited(entry, exit, verdict === 'ok');
    if (verdict === 'give-up') return this.#giveUp(entry, exit);
    this.#restarts++;
    let delayMs = 0;
    if (this.#backoff) {
      entry.consecutive = this.#backoff.next(entry.consecutive, entry.startedAt, now);
      delayMs = this.#backoff.delay(entry.consecutive);
    }
    const plan = planRestart(this.#strategy, this.#ids, entry.id);
    const token = ++this.#plans;
    return andThen(this.#stopEach(plan.stop, 0, true), () => {
      if (this.#closing) return;
      const ids = plan.start.filter((id) => this.#db.has(id)); // stopped temporaries are gone
      for (const id of ids) {
        const e = this.#db.get(id)!;
        e.state = 'restarting';
        e.waitingFor = token;
        e.delayMs = delayMs;
      }
      if (delayMs <= 0 && !retry) return this.#startEach(token, ids, 0);
      const timer = this.#clock.setTimeout(() => {
        this.#timers.delete(timer);
        this.#mailbox.post(() => this.#startEach(token, ids, 0));
      }, delayMs);
      this.#timers.add(timer);
      return;
    });
  }

  /** Start, in order, the children of plan `token` that still wait for it. */
  #startEach(token: number, ids: readonly string[], i: number): unknown {
    for (; i < ids.length; i++) {
      if (this.#closing || this.#state !== 'running') return;
      const entry = this.#db.get(ids[i]!);
      if (entry === undefined || entry.waitingFor !== token) continue; // superseded or removed
      entry.waitingFor = 0;
      const launched = this.#launch(entry);
      if (isPromiseLike<ChildStartError | undefined>(launched)) {
        const next = i + 1;
        return launched.then((error) =>
          error ? this.#attemptFailed(entry, error) : this.#restartedThen(entry, token, ids, next),
        );
      }
      if (launched) return this.#attemptFailed(entry, launched);
      this.#restarted(entry);
    }
    return;
  }

  #restartedThen(entry: Entry, token: number, ids: readonly string[], next: number): unknown {
    if (entry.state === 'running') this.#restarted(entry);
    return this.#startEach(token, ids, next);
  }

  #restarted(entry: Entry): void {
    entry.restarts++;
    emit(this.#events, 'child:restarted', {
      supervisor: this.#id,
      child: entry.id,
      restarts: entry.restarts,
      delayMs: entry.delayMs,
    });
  }

  /** A restart's start failed: that counts as another crash of the child. */
  #attemptFailed(entry: Entry, error: ChildStartError): unknown {
    if (this.#closing || this.#state !== 'running') return;
    return this.#restart(entry, { reason: 'crash', error: error.cause }, true);
  }

  /** Too many restarts: stop everything, fail, and tell the parent. */
  #giveUp(entry: Entry, exit: Exit): unknown {
    const { maxRestarts, withinMs } = this.#intensity;
    const error = new RestartIntensityError(this.#id, entry.id, exit, maxRestarts, withinMs);
    this.#close();
    this.#state = 'stopping';
    return andThen(this.#stopEach(this.#reverseIds(), 0, false), () => {
      if (this.#state !== 'stopping') return; // killed meanwhile
      this.#state = 'failed';
      emit(this.#events, 'supervisor:escalated', { supervisor: this.#id, child: entry.id, exit, error });
      this.#link?.exit({ reason: 'crash', error });
    });
  }

  /** Stop `ids` (already in reverse start order) one after another. */
  #stopEach(ids: readonly string[], i: number, dropTemporary: boolean): unknown {
    for (; i < ids.length; i++) {
      const entry = this.#db.get(ids[i]!);
      if (entry === undefined) continue;
      const stopped = this.#stopEntry(entry, dropTemporary);
      if (isPromiseLike(stopped)) {
        const next = i + 1;
        return stopped.then(() => this.#stopEach(ids, next, dropTemporary));
      }
    }
    return;
  }

  #stopEntry(entry: Entry, dropTemporary: boolean): unknown {
    const done = (): void => {
      if (entry.state === 'stopping') {
        entry.state = 'stopped';
        entry.child = undefined;
      }
      if (dropTemporary && entry.restart === 'temporary') this.#remove(entry.id);
    };
    if (entry.state === 'restarting') {
      entry.waitingFor = 0;
      entry.state = 'stopped';
    }
    if (entry.state !== 'running' || entry.child === undefined) return done();
    entry.link = undefined;
    entry.state = 'stopping';
    return andThen(shutdownChild(entry.id, entry.child, entry.shutdown, this.#clock, this.#report), done);
  }

  #remove(id: string): void {
    this.#db.delete(id);
    const at = this.#ids.indexOf(id);
    if (at >= 0) this.#ids.splice(at, 1);
  }

  #reverseIds(): string[] {
    return [...this.#ids].reverse();
  }

  #close(): void {
    this.#closing = true;
    for (const timer of this.#timers) this.#clock.clearTimeout(timer);
    this.#timers.clear();
  }

  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    if (!this.#started) {
      this.#started = true;
      this.#state = 'stopped';
    }
    if (this.#state === 'stopped' || this.#state === 'failed') return Promise.resolve();
    this.#close();
    this.#stopping = new Promise((resolve) => {
      this.#resolveStop = resolve; // for kill(), which does not wait its turn
      this.#mailbox.post(() => this.#stopAll(), resolve);
    });
    return this.#stopping;
  }

  #stopAll(): unknown {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    this.#state = 'stopping';
    return andThen(this.#stopEach(this.#reverseIds(), 0, false), () => this.#finish());
  }

  #finish(): void {
    if (this.#state !== 'failed') this.#state = 'stopped';
    if (!this.#stopEmitted && this.#state === 'stopped') {
      this.#stopEmitted = true;
      emit(this.#events, 'supervisor:stopped', { supervisor: this.#id });
    }
  }

  kill(): void {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    this.#started = true;
    this.#close();
    for (const id of this.#reverseIds()) {
      const entry = this.#db.get(id)!;
      const child = entry.child;
      entry.link = undefined;
      entry.child = undefined;
      entry.waitingFor = 0;
      entry.state = 'stopped';
      if (child) killChild(entry.id, child, this.#report);
    }
    this.#state = 'stopped';
    this.#finish();
    this.#resolveStop?.();
  }

  tree(): SupervisorTree {
    return {
      id: this.#id,
      type: 'supervisor',
      strategy: this.#strategy,
      state: this.state,
      restarts: this.#restarts,
      children: this.#ids.map((id) => {
        const e = this.#db.get(id)!;
        return childTree(e.id, e.type, e.state, e.restarts, e.child);
      }),
    };
  }

  whichChildren(): ChildInfo[] {
    return this.#ids.map((id) => {
      const e = this.#db.get(id)!;
      return { id: e.id, type: e.type, state: e.state, child: e.state === 'running' ? e.child : undefined };
    });
  }

  countChildren(): ChildCounts {
    let active = 0;
    let supervisors = 0;
    for (const e of this.#db.values()) {
      if (e.state === 'running') active++;
      if (e.type === 'supervisor') supervisors++;
    }
    return { specs: this.#db.size, active, supervisors, workers: this.#db.size - supervisors };
  }
}
