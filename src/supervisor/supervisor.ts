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
import { describe } from '../contract/describe.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { ChildRecord, type ExitHandler } from './child-record.js';
import type { Child, ChildLink, ChildSpec } from './child-spec.js';
import { ChildStartError } from './errors.js';
import { andThen, isPromiseLike } from './maybe-async.js';
import { type CommonOptions, checkCommon, checkExit, checkSpec, checkStrategy } from './options.js';
import type { RestartBackoffOptions } from './restart-backoff.js';
import { shutdownChild } from './shutdown.js';
import { planRestart, type Strategy } from './strategy.js';
import { SupervisorCore } from './supervisor-core.js';
import type { SupervisorBase } from './supervisor-lifecycle.js';

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
export interface Supervisor extends SupervisorBase {
  /** Start the children in order. `link`: the parent's, when nested. Resolves to the supervisor. */
  start(link?: ChildLink): Promise<Supervisor>;
  /** Stop the children in reverse start order, each within its `shutdown` time. */
  stop(): Promise<void>;
}

/** Create a supervisor. Nothing starts until `start()`. Throws a `TypeError` for bad options. */
export function createSupervisor(options: SupervisorOptions): Supervisor {
  return new StaticSupervisor(options);
}

class StaticSupervisor extends SupervisorCore implements Supervisor {
  /**
   * An exit waits its turn in the mailbox (a restart in progress may be waiting for a sibling to
   * stop); by then the child may have been replaced, and the exit is recognised as stale.
   */
  readonly #onExit: ExitHandler = (record, exit) => {
    if (this.closing || this.status === 'failed' || this.status === 'stopped') return;
    const checked = checkExit(exit, record.id);
    this.mailbox.post(() => {
      if (this.closing || this.status !== 'running') return;
      if (!this.children.holds(record) || record.state !== 'running') return; // stale
      return this.childExited(record, checked, false);
    });
  };

  constructor(options: SupervisorOptions) {
    const common = checkCommon(options, '{ children: [...], clock: systemClock }');
    const strategy = checkStrategy(options.strategy ?? 'oneForOne');
    super(common, 'supervisor', strategy);
    if (!Array.isArray(options.children)) {
      throw new TypeError(
        `Expected \`children\` to be an array of child specs, got ${describe(options.children)}`,
      );
    }
    options.children.forEach((spec, i) => {
      checkSpec(spec, `children[${i}]`);
      if (this.children.has(spec.id)) {
        throw new TypeError(`Expected child ids to be unique, got \`"${spec.id}"\` twice (children[${i}])`);
      }
      const record = new ChildRecord(spec, this.#onExit, 0, 0, 0);
      record.state = 'stopped';
      this.children.add(record);
    });
  }

  protected startChildren(): unknown {
    return this.#startFrom([...this.children.values()], 0);
  }

  /** Start `records` from `i` in order; on a failure stop those started, in reverse, and fail. */
  #startFrom(records: readonly ChildRecord[], i: number): unknown {
    for (; i < records.length; i++) {
      if (this.status !== 'starting') return; // killed meanwhile
      const launched = this.launch(records[i]!, undefined, this.#notStarted);
      const next = i + 1;
      if (isPromiseLike<Child | ChildStartError>(launched)) {
        return launched.then((r) =>
          r instanceof ChildStartError ? this.#abortStart(r) : this.#startFrom(records, next),
        );
      }
      if (launched instanceof ChildStartError) return this.#abortStart(launched);
    }
    if (this.status === 'starting') this.status = 'running';
    return;
  }

  #abortStart(error: ChildStartError): unknown {
    this.startError = error;
    const started = this.children.ids().filter((id) => this.children.get(id)!.state === 'running');
    return andThen(this.#stopEach(started.reverse(), 0, false), () => {
      if (this.status === 'starting') this.status = 'failed';
    });
  }

  /** A start failed: the child is not running; the caller fails the whole start, or retries. */
  readonly #notStarted = (record: ChildRecord, cause: unknown): ChildStartError => {
    if (this.children.holds(record)) {
      record.state = 'stopped';
      record.child = undefined;
    }
    return new ChildStartError(this.id, record.id, cause);
  };

  /** The strategy's plan: stop the siblings it names, then start it and them again, in order. */
  protected restartChild(record: ChildRecord, delayMs: number, retry: boolean): unknown {
    const plan = planRestart(this.strategy, this.children.ids(), record.id);
    return andThen(this.#stopEach(plan.stop, 0, true), () => {
      if (this.closing) return;
      const waiting: ChildRecord[] = [];
      for (const id of plan.start) {
        const old = this.children.get(id);
        if (old === undefined) continue; // a stopped temporary is gone
        const next = this.children.renew(old);
        next.state = 'restarting';
        waiting.push(next);
      }
      if (delayMs <= 0 && !retry) return this.#startEach(waiting, 0, delayMs);
      this.later(this.children.get(record.id)!, delayMs, () =>
        this.mailbox.post(() => this.#startEach(waiting, 0, delayMs)),
      );
      return;
    });
  }

  /** Start, in order, those of `records` that still wait for this restart. */
  #startEach(records: readonly ChildRecord[], i: number, delayMs: number): unknown {
    for (; i < records.length; i++) {
      if (this.closing || this.status !== 'running') return;
      const record = records[i]!;
      if (!this.children.holds(record) || record.state !== 'restarting') continue; // superseded
      const launched = this.launch(record, delayMs, this.#notStarted);
      const next = i + 1;
      if (isPromiseLike<Child | ChildStartError>(launched)) {
        return launched.then((r) =>
          r instanceof ChildStartError
            ? this.retry(record, r.cause)
            : this.#startEach(records, next, delayMs),
        );
      }
      if (launched instanceof ChildStartError) return this.retry(record, launched.cause);
    }
    return;
  }

  /** OTP keeps the spec of a child that is not restarted (a later restart may bring it back), unless it is temporary. */
  protected letGo(record: ChildRecord): void {
    if (record.restart === 'temporary') this.forget(record);
  }

  protected stopChildren(): unknown {
    return this.#stopEach(this.children.ids().reverse(), 0, false);
  }

  protected inStopOrder(): Iterable<ChildRecord> {
    return [...this.children.values()].reverse();
  }

  /** Stop the children `ids` (in reverse start order) one after another. */
  #stopEach(ids: readonly string[], i: number, dropTemporary: boolean): unknown {
    for (; i < ids.length; i++) {
      const record = this.children.get(ids[i]!);
      if (record === undefined) continue;
      const stopped = this.#stopOne(record, dropTemporary);
      if (isPromiseLike(stopped)) {
        const next = i + 1;
        return stopped.then(() => this.#stopEach(ids, next, dropTemporary));
      }
    }
    return;
  }

  #stopOne(record: ChildRecord, dropTemporary: boolean): unknown {
    const done = (): void => {
      if (record.state === 'stopping') {
        record.state = 'stopped';
        record.child = undefined;
      }
      if (dropTemporary && record.restart === 'temporary') this.forget(record);
    };
    if (record.state === 'restarting') {
      // Its restart is called off (superseded by this one, or the supervisor stops).
      if (record.timer !== undefined) this.clock.clearTimeout(record.timer);
      record.timer = undefined;
      record.state = 'stopped';
    }
    const child = record.running;
    if (child === undefined) return done();
    this.children.down(record, 'stopping');
    return andThen(shutdownChild(record.id, child, record.shutdown, this.clock, this.announce), done);
  }
}
