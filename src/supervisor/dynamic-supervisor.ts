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
import { describe } from '../contract/describe.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { ChildRecord, type ExitHandler } from './child-record.js';
import type { Child, ChildLink, ChildSpec, Exit } from './child-spec.js';
import { ChildLimitError, ChildStartError } from './errors.js';
import { isPromiseLike } from './maybe-async.js';
import { type CommonOptions, checkCommon, checkExit, checkSpec } from './options.js';
import type { RestartBackoffOptions } from './restart-backoff.js';
import { type StopTarget, shutdownAll, shutdownChild } from './shutdown.js';
import { SupervisorCore } from './supervisor-core.js';
import type { SupervisorBase } from './supervisor-lifecycle.js';

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

/** A running (or stopped) dynamic supervisor. It is a `Child`, so it can be supervised in turn. */
export interface DynamicSupervisor extends SupervisorBase {
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
  /** Stop every child concurrently, each within its `shutdown` time, and forget them. */
  stop(): Promise<void>;
}

/** Create a dynamic supervisor. Throws a `TypeError` for bad options. */
export function createDynamicSupervisor(options: DynamicSupervisorOptions): DynamicSupervisor {
  return new Dynamic(options);
}

class Dynamic extends SupervisorCore implements DynamicSupervisor {
  readonly #maxChildren: number;

  /** Exits are acted on as they are reported, outside the mailbox: no queue on the hot path. */
  readonly #onExit: ExitHandler = (record, reported) => {
    if (!this.children.holds(record) || this.closing) return; // stale
    if (record.state === 'starting') {
      record.early ??= checkExit(reported, record.id);
      return;
    }
    if (record.state !== 'running') return;
    this.childExited(record, checkExit(reported, record.id), false);
  };

  constructor(options: DynamicSupervisorOptions) {
    const common = checkCommon(options, '{ clock: systemClock, maxChildren: 10_000 }');
    const max = options.maxChildren ?? Number.POSITIVE_INFINITY;
    if (typeof max !== 'number' || Number.isNaN(max) || max < 0) {
      throw new TypeError(`Expected \`maxChildren\` to be a number >= 0 (or Infinity), got ${describe(max)}`);
    }
    super(common, 'dynamic-supervisor', 'oneForOne');
    this.#maxChildren = max;
  }

  protected startChildren(): void {
    this.status = 'running';
  }

  startChild(spec: ChildSpec): Child | Promise<Child> {
    checkSpec(spec, 'spec');
    const id = spec.id;
    if (this.status !== 'running' || this.closing) {
      throw new ChildLimitError('not-running', this.id, id, `the supervisor is ${this.state}`);
    }
    if (this.children.has(id)) {
      throw new ChildLimitError('id-taken', this.id, id, 'a child with this id is already running');
    }
    if (this.children.size >= this.#maxChildren) {
      throw new ChildLimitError(
        'max-children',
        this.id,
        id,
        `maxChildren (${this.#maxChildren}) reached; terminate a child first or raise maxChildren`,
      );
    }
    const record = new ChildRecord(spec, this.#onExit, 0, 0, 0);
    this.children.add(record);
    return this.launch(record, undefined, this.#startFailed);
  }

  readonly #startFailed = (record: ChildRecord, cause: unknown): never => {
    if (this.children.holds(record)) this.forget(record);
    throw new ChildStartError(this.id, record.id, cause);
  };

  /** A crashed child comes back alone (`oneForOne`), as a new record in the same place in the map. */
  protected restartChild(record: ChildRecord, delayMs: number, retry: boolean): void {
    if (delayMs <= 0 && !retry) {
      this.launch(this.children.renew(record), 0, this.retry);
      return;
    }
    this.later(record, delayMs, () => {
      if (!this.children.holds(record) || this.closing) return;
      this.launch(this.children.renew(record), delayMs, this.retry);
    });
  }

  /** A child that is not restarted is forgotten, as in OTP. */
  protected letGo(record: ChildRecord): void {
    this.forget(record);
  }

  /**
   * Giving up stops every child, which a `stop()` must wait for: it runs in the mailbox (idle
   * here, since exits do not go through it, so it runs at once).
   */
  protected override giveUp(record: ChildRecord, exit: Exit): void {
    this.mailbox.post(() => super.giveUp(record, exit));
  }

  protected inStopOrder(): Iterable<ChildRecord> {
    return this.children.values();
  }

  protected override dropAll(): void {
    this.children.clear();
  }

  /** Stop every child concurrently, in O(n): ask all to stop, then wait for all together. */
  protected stopChildren(): Promise<unknown> | undefined {
    const targets: StopTarget[] = [];
    const waits: Promise<void>[] = [];
    for (const record of this.children.values()) {
      const { child, state } = record;
      record.state = 'stopping';
      if (state === 'running' && child !== undefined && !isPromiseLike(child)) {
        targets.push({ id: record.id, child, shutdown: record.shutdown });
      } else if (state === 'starting' && isPromiseLike<Child>(child)) {
        waits.push(this.#stopWhenStarted(record, child));
      }
    }
    const all = shutdownAll(targets, this.clock, this.announce);
    if (all !== undefined) waits.push(all);
    return waits.length === 0 ? undefined : Promise.all(waits);
  }

  /** A child asked to stop while still starting: stop it once it has started. */
  #stopWhenStarted(record: ChildRecord, pending: PromiseLike<Child>): Promise<void> {
    return Promise.resolve(pending).then(
      (child) => {
        if (typeof child?.stop !== 'function') return;
        return shutdownChild(record.id, child, record.shutdown, this.clock, this.announce);
      },
      () => undefined,
    );
  }

  async terminateChild(id: string): Promise<boolean> {
    const record = this.children.get(id);
    if (record === undefined) return false;
    const { state, child } = record;
    this.forget(record);
    record.state = 'stopping';
    if (state === 'running' && child !== undefined && !isPromiseLike(child)) {
      await shutdownChild(id, child, record.shutdown, this.clock, this.announce);
    } else if (state === 'starting' && isPromiseLike<Child>(child)) {
      await this.#stopWhenStarted(record, child);
    }
    record.state = 'stopped';
    return true;
  }
}
