/**
 * What every supervisor does with one child: start an incarnation of it, and act on its exit
 * (restart type, restart intensity, restart backoff: the restart decision), retrying a restart
 * whose start failed. With the shared lifecycle ({@link SupervisorLifecycle}: start, stop, kill,
 * escalation, events) this is the core both supervisors extend: `createSupervisor` (a fixed,
 * ordered list of children, and a strategy) and `createDynamicSupervisor` (children added while
 * it runs, many of them) add only what is particular to them: how their children start and stop
 * together, and what a restart brings back ({@link restartChild}).
 *
 * A base class rather than a helper both hold: the core's methods (`stop`, `kill`, `tree`, ...)
 * are the supervisors' public methods as they stand, and the hot path (a child exits and is
 * started again) is plain calls on one object, with nothing forwarded.
 *
 * Every incarnation of a child is a {@link ChildRecord}, which is also its link; the current one
 * for each id is in `children`. A restart starts a new record, so an exit reported through an
 * old one is stale and ignored.
 */
import { describe } from '../contract/describe.js';
import type { ChildRecord } from './child-record.js';
import { type Child, type Exit, restartOf, shouldRestart } from './child-spec.js';
import { isPromiseLike } from './maybe-async.js';
import type { CommonSettings } from './options.js';
import type { RestartBackoff } from './restart-backoff.js';
import { decideRestart } from './restart-decision.js';
import { RestartWindow } from './restart-intensity.js';
import { killChild } from './shutdown.js';
import type { Strategy } from './strategy.js';
import { SupervisorLifecycle } from './supervisor-lifecycle.js';

/** What to do when a start fails: called with the record and what its start threw (or rejected with). */
export type StartFailed<F> = (record: ChildRecord, cause: unknown) => F;

export abstract class SupervisorCore extends SupervisorLifecycle {
  protected readonly backoff: RestartBackoff | undefined;
  readonly #window: RestartWindow;

  constructor(common: CommonSettings, defaultId: string, strategy: Strategy) {
    super(common, defaultId, strategy);
    this.backoff = common.backoff;
    this.#window = new RestartWindow(common.intensity);
  }

  /**
   * Carry out the restart of `record` (which exited, and is `restarting`) after `delayMs`.
   * `retry`: its last start failed, so the restart goes on a timer even without a delay.
   */
  protected abstract restartChild(record: ChildRecord, delayMs: number, retry: boolean): unknown;
  /** `record` exited and is not restarted (its restart type and exit reason say so). */
  protected abstract letGo(record: ChildRecord): void;

  /**
   * Start `record`'s incarnation of its child, with `record` as the link. `delayMs`: undefined
   * for a first start, else the restart's delay. Returns the child, or a promise of it when its
   * start is asynchronous (kept in `record.child` meanwhile, so that a stop can wait for it); if
   * the start throws, rejects or returns something that is not a Child, what `failed` returns.
   */
  protected launch<F>(
    record: ChildRecord,
    delayMs: number | undefined,
    failed: StartFailed<F>,
  ): Child | F | Promise<Child | F> {
    record.state = 'starting';
    let started: Child | PromiseLike<Child>;
    try {
      started = record.spec.start(record);
    } catch (error) {
      return failed(record, error);
    }
    if (!isPromiseLike<Child>(started)) return this.#adopt(record, started, delayMs, failed);
    record.child = started;
    return Promise.resolve(started).then(
      (child) => this.#adopt(record, child, delayMs, failed),
      (error: unknown) => failed(record, error),
    );
  }

  /**
   * `record`'s start returned `child`: it is running now, and any exit it reported while it was
   * starting is acted on. If the record was meanwhile killed, the child is not wanted and is
   * killed too; if it is being stopped, whoever stops it waits for it.
   */
  #adopt<F>(
    record: ChildRecord,
    child: unknown,
    delayMs: number | undefined,
    failed: StartFailed<F>,
  ): Child | F {
    if (typeof child !== 'object' || child === null || typeof (child as Child).stop !== 'function') {
      const error = new TypeError(
        `Expected \`start\` of child "${record.id}" to return a Child (an object with a stop() method) or a promise of one, got ${describe(child)}`,
      );
      return failed(record, error);
    }
    if (!this.children.holds(record) || record.state !== 'starting') {
      if (record.state !== 'stopping') killChild(record.id, child as Child, this.announce);
      return child as Child;
    }
    record.child = child as Child;
    this.children.up(record);
    if (this.backoff) record.startedAt = this.clock.now();
    if (delayMs === undefined) {
      this.announce.started(record);
    } else {
      record.restarts++;
      this.announce.restarted(record, delayMs);
    }
    const early = record.early;
    if (early !== undefined) {
      record.early = undefined;
      record.exit(early);
    }
    return child as Child;
  }

  /**
   * `record`'s child went down on its own: it exited, or (`retry`) a restart's start failed,
   * which counts as another crash. If its restart type and the exit reason call for a restart,
   * count it in the intensity window and restart it (`restartChild`), or give up; else let it go.
   */
  protected childExited(record: ChildRecord, exit: Exit, retry: boolean): unknown {
    record.child = undefined;
    if (!shouldRestart(restartOf(record.spec), exit.reason)) {
      this.children.down(record, 'stopped');
      this.announce.exited(record, exit, false);
      this.letGo(record);
      return undefined;
    }
    this.children.down(record, 'restarting');
    const now = this.clock.now();
    const verdict = this.#window.record(now);
    const decision = decideRestart(verdict, this.backoff, record.consecutive, record.startedAt, now);
    this.announce.exited(record, exit, !decision.giveUp);
    if (decision.giveUp) return this.giveUp(record, exit);
    this.restarts++;
    record.consecutive = decision.consecutive;
    return this.restartChild(record, decision.delayMs, retry);
  }

  /**
   * A restart's start failed: another crash of the child, whose restart is retried on a timer
   * so that other work gets its turn (OTP's `try_again_restart`).
   */
  protected readonly retry = (record: ChildRecord, cause: unknown): unknown => {
    if (!this.children.holds(record) || this.closing || this.status !== 'running') return;
    if (this.backoff) record.startedAt = this.clock.now();
    return this.childExited(record, { reason: 'crash', error: cause }, true);
  };

  /** Run `then` after `delayMs`, on a timer held by `record` (so that closing cancels it). */
  protected later(record: ChildRecord, delayMs: number, then: () => void): void {
    record.timer = this.clock.setTimeout(() => {
      record.timer = undefined;
      then();
    }, delayMs);
  }

  /** Let go of `record`'s child altogether, with any restart it waits for. */
  protected forget(record: ChildRecord): void {
    this.children.delete(record);
    if (record.timer !== undefined) this.clock.clearTimeout(record.timer);
    record.timer = undefined;
  }
}
