/**
 * A dynamic supervisor starts no children of its own: they are added and removed while it runs
 * (`startChild`, `terminateChild`), like Elixir's `DynamicSupervisor` or OTP's
 * `simple_one_for_one`. The strategy is always `oneForOne`. It is built to hold a very large
 * number of children (one per managed resource):
 *
 * - one compact record per child in a `Map` (the record is also the child's link, so there is
 *   no extra closure per child); counts kept as they change, so `countChildren()` is O(1);
 * - `startChild` is synchronous when the child's `start` is: it returns the `Child` itself, and
 *   only returns a promise when `start` does; no promise on the hot path;
 * - restarting a crashed child is O(1); no timer unless a restart backoff asks for a delay;
 * - `stop()` is O(n): every child is asked to stop, then all are awaited together; children that
 *   share a shutdown time share one timer.
 *
 * ```ts
 * const users = createDynamicSupervisor({ id: 'user', clock, maxChildren: 10_000 });
 * await users.start();
 * users.startChild({ id: 'user/alice', start: (link) => startActor('alice', link), restart: 'transient' });
 * users.countChildren(); // { specs: 1, active: 1, supervisors: 0, workers: 1 }
 * await users.terminateChild('user/alice');
 * ```
 *
 * A child that is not restarted (its restart type and exit reason say so) is removed, as in OTP.
 * Restart intensity, escalation, backoff and events work as in `createSupervisor`.
 */
import { createNanoEvents, type Unsubscribe } from 'nanoevents';
import { describe } from '../contract/describe.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { ChildRecord, type ExitHandler } from './child-record.js';
import {
  type Child,
  type ChildLink,
  type ChildSpec,
  type Exit,
  restartOf,
  shouldRestart,
  shutdownOf,
  typeOf,
} from './child-spec.js';
import { ChildLimitError, ChildStartError, RestartIntensityError } from './errors.js';
import { emit, listening, type SupervisorEvents } from './events.js';
import { isPromiseLike } from './maybe-async.js';
import { type CommonOptions, checkCommon, checkExit, checkSpec } from './options.js';
import type { RestartBackoff, RestartBackoffOptions } from './restart-backoff.js';
import { type Intensity, RestartWindow } from './restart-intensity.js';
import { killChild, type ShutdownReport, type StopTarget, shutdownAll, shutdownChild } from './shutdown.js';
import {
  type ChildCounts,
  type ChildInfo,
  childTree,
  type SupervisorState,
  type SupervisorTree,
} from './tree.js';

export interface DynamicSupervisorOptions extends CommonOptions {
  /** Default: its link's id, else `dynamic-supervisor`. */
  readonly id?: string;
  /** `startChild` refuses beyond this many children. Default `Infinity`. */
  readonly maxChildren?: number;
  /** Default 3. */
  readonly maxRestarts?: number;
  /** Default 5000. */
  readonly withinMs?: number;
  readonly clock: Clock;
  readonly random?: Random;
  readonly restartBackoff?: RestartBackoffOptions;
}

export interface DynamicSupervisor extends Child {
  readonly id: string;
  readonly state: SupervisorState;
  start(link?: ChildLink): Promise<DynamicSupervisor>;
  /**
   * Start a child under this supervisor. Returns the `Child` when `spec.start` returns one, a
   * promise of it when `spec.start` returns a promise. Throws a `ChildLimitError` (id taken,
   * `maxChildren` reached, supervisor not running) or a `ChildStartError` (synchronous start
   * failed); the promise rejects with a `ChildStartError` when an asynchronous start fails.
   */
  startChild(spec: ChildSpec): Child | Promise<Child>;
  /** Stop child `id` (within its shutdown time) and forget it. Resolves `false` if there was none. */
  terminateChild(id: string): Promise<boolean>;
  stop(): Promise<void>;
  kill(): void;
  tree(): SupervisorTree;
  whichChildren(): ChildInfo[];
  countChildren(): ChildCounts;
  on<E extends keyof SupervisorEvents>(event: E, listener: SupervisorEvents[E]): Unsubscribe;
}

/** Create a dynamic supervisor. Throws a `TypeError` for bad options. */
export function createDynamicSupervisor(options: DynamicSupervisorOptions): DynamicSupervisor {
  return new Dynamic(options);
}

class Dynamic implements DynamicSupervisor {
  readonly #clock: Clock;
  readonly #intensity: Intensity;
  readonly #backoff: RestartBackoff | undefined;
  readonly #maxChildren: number;
  readonly #explicitId: boolean;
  #id: string;
  readonly #children = new Map<string, ChildRecord>();
  #active = 0;
  #supervisors = 0;
  #state: SupervisorState = 'starting';
  #started = false;
  #closing = false;
  readonly #window: RestartWindow;
  #restarts = 0;
  #link: ChildLink | undefined;
  #stopping: Promise<void> | undefined;
  readonly #events = createNanoEvents<SupervisorEvents>();
  readonly #onExit: ExitHandler = (record, exit) => this.#exited(record, exit);
  readonly #report: ShutdownReport = {
    killed: (child, afterMs) => emit(this.#events, 'child:killed', { supervisor: this.#id, child, afterMs }),
    stopFailed: (child, error) =>
      emit(this.#events, 'child:stop-failed', { supervisor: this.#id, child, error }),
  };

  constructor(options: DynamicSupervisorOptions) {
    const common = checkCommon(options, '{ clock: systemClock, maxChildren: 10_000 }');
    this.#clock = common.clock;
    this.#intensity = common.intensity;
    this.#window = new RestartWindow(common.intensity);
    this.#backoff = common.backoff;
    const max = options.maxChildren ?? Number.POSITIVE_INFINITY;
    if (typeof max !== 'number' || Number.isNaN(max) || max < 0) {
      throw new TypeError(`Expected \`maxChildren\` to be a number >= 0 (or Infinity), got ${describe(max)}`);
    }
    this.#maxChildren = max;
    this.#explicitId = common.id !== undefined;
    this.#id = common.id ?? 'dynamic-supervisor';
  }

  get id(): string {
    return this.#id;
  }

  get state(): SupervisorState {
    return this.#closing && this.#state === 'running' ? 'stopping' : this.#state;
  }

  on<E extends keyof SupervisorEvents>(event: E, listener: SupervisorEvents[E]): Unsubscribe {
    return this.#events.on(event, listener);
  }

  start(link?: ChildLink): Promise<DynamicSupervisor> {
    if (this.#started) {
      return Promise.reject(
        new Error(`supervisor "${this.#id}" was already started; create a new one to start again`),
      );
    }
    this.#started = true;
    this.#link = link;
    if (!this.#explicitId && link !== undefined) this.#id = link.id;
    this.#state = 'running';
    return Promise.resolve(this);
  }

  startChild(spec: ChildSpec): Child | Promise<Child> {
    checkSpec(spec, 'spec');
    const id = spec.id;
    if (this.#state !== 'running' || this.#closing) {
      throw new ChildLimitError('not-running', this.#id, id, `the supervisor is ${this.state}`);
    }
    if (this.#children.has(id)) {
      throw new ChildLimitError('id-taken', this.#id, id, 'a child with this id is already running');
    }
    if (this.#children.size >= this.#maxChildren) {
      throw new ChildLimitError(
        'max-children',
        this.#id,
        id,
        `maxChildren (${this.#maxChildren}) reached; terminate a child first or raise maxChildren`,
      );
    }
    const record = new ChildRecord(spec, this.#onExit, 0, 0, 0);
    this.#children.set(id, record);
    if (typeOf(spec) === 'supervisor') this.#supervisors++;
    let started: Child | PromiseLike<Child>;
    try {
      started = spec.start(record);
    } catch (error) {
      this.#forget(record);
      throw new ChildStartError(this.#id, id, error);
    }
    if (isPromiseLike<Child>(started)) {
      record.child = started;
      return Promise.resolve(started).then(
        (child) => {
          const bad = this.#adopt(record, child, undefined);
          if (bad) this.#startFailed(record, bad);
          return child;
        },
        (error: unknown) => this.#startFailed(record, error),
      );
    }
    const bad = this.#adopt(record, started, undefined);
    if (bad) this.#startFailed(record, bad);
    return started;
  }

  #startFailed(record: ChildRecord, error: unknown): never {
    if (this.#children.get(record.id) === record) this.#forget(record);
    throw new ChildStartError(this.#id, record.id, error);
  }

  /**
   * `record`'s start returned `child`: it is running now. `delayMs`: undefined for a first
   * start, else the restart's delay. Returns a `TypeError` if `child` is not a Child. If the
   * record was meanwhile killed, the child is not wanted and is killed too; if it is being
   * stopped, whoever stops it waits for it.
   */
  #adopt(record: ChildRecord, child: Child, delayMs: number | undefined): TypeError | undefined {
    if (typeof child !== 'object' || child === null || typeof child.stop !== 'function') {
      return new TypeError(
        `Expected \`start\` of child "${record.id}" to return a Child (an object with a stop() method) or a promise of one, got ${describe(child)}`,
      );
    }
    if (this.#children.get(record.id) !== record || record.state !== 'starting') {
      if (record.state !== 'stopping') killChild(record.id, child, this.#report);
      return undefined;
    }
    record.child = child;
    record.state = 'running';
    if (this.#backoff) record.startedAt = this.#clock.now();
    this.#active++;
    if (delayMs === undefined) {
      if (listening(this.#events, 'child:started')) {
        emit(this.#events, 'child:started', { supervisor: this.#id, child: record.id });
      }
    } else {
      record.restarts++;
      if (listening(this.#events, 'child:restarted')) {
        emit(this.#events, 'child:restarted', {
          supervisor: this.#id,
          child: record.id,
          restarts: record.restarts,
          delayMs,
        });
      }
    }
    const early = record.early;
    if (early !== undefined) {
      record.early = undefined;
      this.#exited(record, early);
    }
    return undefined;
  }

  /** Remove `record` from the map and the counts. */
  #forget(record: ChildRecord): void {
    this.#children.delete(record.id);
    if (record.state === 'running') this.#active--;
    if (typeOf(record.spec) === 'supervisor') this.#supervisors--;
    if (record.timer !== undefined) this.#clock.clearTimeout(record.timer);
    record.timer = undefined;
  }

  #exited(record: ChildRecord, reported: Exit): void {
    if (this.#children.get(record.id) !== record || this.#closing) return; // stale
    if (record.state === 'starting') {
      record.early ??= checkExit(reported, record.id);
      return;
    }
    if (record.state !== 'running') return;
    const exit = checkExit(reported, record.id);
    record.state = 'restarting';
    record.child = undefined;
    this.#active--;
    if (shouldRestart(restartOf(record.spec), exit.reason)) {
      this.#restart(record, exit, false);
      return;
    }
    this.#reportExit(record, exit, false);
    this.#forget(record);
  }

  #reportExit(record: ChildRecord, exit: Exit, willRestart: boolean): void {
    if (!listening(this.#events, 'child:exited')) return;
    const { id: supervisor } = this;
    emit(this.#events, 'child:exited', {
      supervisor,
      child: record.id,
      exit,
      restarts: record.restarts,
      willRestart,
    });
  }

  /** Count a restart of `record` (which exited); then restart it (now or after its backoff), or give up. */
  #restart(record: ChildRecord, exit: Exit, retry: boolean): void {
    const now = this.#clock.now();
    const verdict = this.#window.record(now);
    this.#reportExit(record, exit, verdict === 'ok');
    if (verdict === 'give-up') {
      this.#giveUp(record, exit);
      return;
    }
    this.#restarts++;
    let delayMs = 0;
    if (this.#backoff) {
      record.consecutive = this.#backoff.next(record.consecutive, record.startedAt, now);
      delayMs = this.#backoff.delay(record.consecutive);
    }
    if (delayMs <= 0 && !retry) {
      this.#relaunch(record, 0);
      return;
    }
    record.timer = this.#clock.setTimeout(() => {
      record.timer = undefined;
      this.#relaunch(record, delayMs);
    }, delayMs);
  }

  /** Start a new incarnation of `old`, which exited. */
  #relaunch(old: ChildRecord, delayMs: number): void {
    if (this.#children.get(old.id) !== old || this.#closing) return;
    const record = new ChildRecord(old.spec, this.#onExit, old.restarts, old.consecutive, old.startedAt);
    this.#children.set(old.id, record); // same key: keeps its place in the map
    let started: Child | PromiseLike<Child>;
    try {
      started = old.spec.start(record);
    } catch (error) {
      this.#relaunchFailed(record, error);
      return;
    }
    if (isPromiseLike<Child>(started)) {
      record.child = started;
      Promise.resolve(started).then(
        (child) => this.#relaunched(record, child, delayMs),
        (error: unknown) => this.#relaunchFailed(record, error),
      );
      return;
    }
    this.#relaunched(record, started, delayMs);
  }

  #relaunched(record: ChildRecord, child: Child, delayMs: number): void {
    const bad = this.#adopt(record, child, delayMs);
    if (bad) this.#relaunchFailed(record, bad);
  }

  /** A restart's start failed: another crash, retried on a timer (so others get their turn). */
  #relaunchFailed(record: ChildRecord, error: unknown): void {
    if (this.#children.get(record.id) !== record || this.#closing) return;
    record.state = 'restarting';
    record.child = undefined;
    if (this.#backoff) record.startedAt = this.#clock.now();
    this.#restart(record, { reason: 'crash', error }, true);
  }

  /** Too many restarts: stop every child, fail, and tell the parent. */
  #giveUp(record: ChildRecord, exit: Exit): void {
    const { maxRestarts, withinMs } = this.#intensity;
    const error = new RestartIntensityError(this.#id, record.id, exit, maxRestarts, withinMs);
    const escalate = (): void => {
      if (this.#state !== 'stopping') return; // killed meanwhile
      this.#state = 'failed';
      emit(this.#events, 'supervisor:escalated', { supervisor: this.#id, child: record.id, exit, error });
      this.#link?.exit({ reason: 'crash', error });
    };
    const stopped = this.#stopChildren();
    if (stopped) this.#stopping = stopped.then(escalate);
    else escalate();
  }

  /** Close, then stop every child concurrently. */
  #stopChildren(): Promise<void> | undefined {
    this.#closing = true;
    this.#state = 'stopping';
    const targets: StopTarget[] = [];
    const waits: Promise<void>[] = [];
    for (const record of this.#children.values()) {
      if (record.timer !== undefined) this.#clock.clearTimeout(record.timer);
      record.timer = undefined;
      const child = record.child;
      const state = record.state;
      record.state = 'stopping';
      if (state === 'running' && child !== undefined && !isPromiseLike(child)) {
        targets.push({ id: record.id, child, shutdown: shutdownOf(record.spec) });
      } else if (state === 'starting' && isPromiseLike<Child>(child)) {
        waits.push(this.#stopWhenStarted(record, child));
      }
    }
    const all = shutdownAll(targets, this.#clock, this.#report);
    const done = (): void => {
      this.#children.clear();
      this.#active = 0;
      this.#supervisors = 0;
    };
    if (all === undefined && waits.length === 0) {
      done();
      return undefined;
    }
    if (all !== undefined) waits.push(all);
    return Promise.all(waits).then(done);
  }

  /** A child asked to stop while still starting: stop it once it has started. */
  #stopWhenStarted(record: ChildRecord, pending: PromiseLike<Child>): Promise<void> {
    return Promise.resolve(pending).then(
      (child) => {
        if (typeof child?.stop !== 'function') return;
        return shutdownChild(record.id, child, shutdownOf(record.spec), this.#clock, this.#report);
      },
      () => undefined,
    );
  }

  async terminateChild(id: string): Promise<boolean> {
    const record = this.#children.get(id);
    if (record === undefined) return false;
    const { state, child } = record;
    this.#forget(record);
    record.state = 'stopping';
    if (state === 'running' && child !== undefined && !isPromiseLike(child)) {
      await shutdownChild(id, child, shutdownOf(record.spec), this.#clock, this.#report);
    } else if (state === 'starting' && isPromiseLike<Child>(child)) {
      await this.#stopWhenStarted(record, child);
    }
    record.state = 'stopped';
    return true;
  }

  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    if (!this.#started) {
      this.#started = true;
      this.#state = 'stopped';
    }
    if (this.#state === 'stopped' || this.#state === 'failed') return Promise.resolve();
    const finish = (): void => {
      if (this.#state !== 'stopping') return;
      this.#state = 'stopped';
      emit(this.#events, 'supervisor:stopped', { supervisor: this.#id });
    };
    const stopped = this.#stopChildren();
    if (stopped === undefined) {
      finish();
      this.#stopping = Promise.resolve();
    } else {
      this.#stopping = stopped.then(finish);
    }
    return this.#stopping;
  }

  kill(): void {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    this.#started = true;
    this.#closing = true;
    for (const record of this.#children.values()) {
      if (record.timer !== undefined) this.#clock.clearTimeout(record.timer);
      record.timer = undefined;
      const child = record.child;
      record.state = 'stopped';
      if (child !== undefined && !isPromiseLike(child)) killChild(record.id, child, this.#report);
    }
    this.#children.clear();
    this.#active = 0;
    this.#supervisors = 0;
    this.#state = 'stopped';
    emit(this.#events, 'supervisor:stopped', { supervisor: this.#id });
  }

  tree(): SupervisorTree {
    const children = [];
    for (const r of this.#children.values()) {
      const child = isPromiseLike(r.child) ? undefined : r.child;
      children.push(childTree(r.id, typeOf(r.spec), r.state, r.restarts, child));
    }
    return {
      id: this.#id,
      type: 'supervisor',
      strategy: 'oneForOne',
      state: this.state,
      restarts: this.#restarts,
      children,
    };
  }

  whichChildren(): ChildInfo[] {
    const rows: ChildInfo[] = [];
    for (const r of this.#children.values()) {
      const child = r.state === 'running' && !isPromiseLike(r.child) ? r.child : undefined;
      rows.push({ id: r.id, type: typeOf(r.spec), state: r.state, child });
    }
    return rows;
  }

  countChildren(): ChildCounts {
    const specs = this.#children.size;
    return {
      specs,
      active: this.#active,
      supervisors: this.#supervisors,
      workers: specs - this.#supervisors,
    };
  }
}
