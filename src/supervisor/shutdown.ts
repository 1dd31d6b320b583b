/**
 * Stopping children: politely, then by force.
 *
 * A child is asked to `stop()`. If it has not finished within its `shutdown` time, its `kill()`
 * is called and the supervisor moves on (OTP: `exit(Child, shutdown)`, then `exit(Child, kill)`
 * after the timeout). `'brutal'` kills at once; `Infinity` waits as long as it takes (the default
 * for a nested supervisor, which needs the time to stop its own children).
 *
 * Timers go through the injected clock only, so a `TestClock` can show a child that ignores
 * `stop()` being killed at exactly its shutdown time.
 */
import type { Clock, TimerHandle } from '../time/clock.js';
import type { Child, Shutdown } from './child-spec.js';
import { isPromiseLike } from './maybe-async.js';

/** What stopping a child can report besides success. */
export interface ShutdownReport {
  /** `id` was killed: it ignored `stop()` for `afterMs` ms, or is `brutal` (0). */
  killed(id: string, afterMs: number): void;
  /** `id`'s `stop()` (or `kill()`) threw or rejected. The child is considered gone. */
  stopFailed(id: string, error: unknown): void;
}

function forceKill(id: string, child: Child, report: ShutdownReport): void {
  try {
    child.kill?.();
  } catch (error) {
    report.stopFailed(id, error);
  }
}

/**
 * Kill `child` now: its `kill()` if it has one; otherwise ask it to `stop()` without waiting
 * (the most a child without `kill` allows).
 */
export function killChild(id: string, child: Child, report: ShutdownReport): void {
  if (typeof child.kill === 'function') {
    forceKill(id, child, report);
    return;
  }
  try {
    const pending = child.stop();
    if (isPromiseLike(pending)) pending.then(undefined, (error) => report.stopFailed(id, error));
  } catch (error) {
    report.stopFailed(id, error);
  }
}

/**
 * Ask `child` to stop: a `brutal` one is killed at once, and one whose `stop()` throws is killed
 * too. Returns the promise `stop()` returned while the child is still stopping, else nothing.
 */
function askToStop(
  id: string,
  child: Child,
  shutdown: Shutdown,
  report: ShutdownReport,
): PromiseLike<unknown> | undefined {
  if (shutdown === 'brutal') {
    killChild(id, child, report);
    report.killed(id, 0);
    return undefined;
  }
  let pending: unknown;
  try {
    pending = child.stop();
  } catch (error) {
    report.stopFailed(id, error);
    forceKill(id, child, report);
    return undefined;
  }
  return isPromiseLike(pending) ? pending : undefined;
}

/**
 * Stop one child within its `shutdown` time. Returns nothing if it stopped synchronously,
 * else a promise that resolves once it has stopped or been killed. Never rejects.
 */
export function shutdownChild(
  id: string,
  child: Child,
  shutdown: Shutdown,
  clock: Clock,
  report: ShutdownReport,
): undefined | Promise<void> {
  const pending = askToStop(id, child, shutdown, report);
  if (pending === undefined || shutdown === 'brutal') return; // a brutal child is never pending
  return new Promise<void>((resolve) => {
    let done = false;
    let timer: TimerHandle | undefined;
    if (shutdown !== Number.POSITIVE_INFINITY) {
      timer = clock.setTimeout(() => {
        if (done) return;
        done = true;
        report.killed(id, shutdown);
        forceKill(id, child, report);
        resolve();
      }, shutdown);
    }
    const finish = (error?: { error: unknown }): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      if (error) report.stopFailed(id, error.error);
      resolve();
    };
    pending.then(
      () => finish(),
      (error: unknown) => finish({ error }),
    );
  });
}

/** One child to stop in {@link shutdownAll}. */
export interface StopTarget {
  readonly id: string;
  readonly child: Child;
  readonly shutdown: Shutdown;
}

/**
 * Stop many children at once, in O(n): ask every one to stop, then wait for all. Children that
 * share a shutdown time share one timer, which kills those still running when it fires.
 * Returns nothing if every child stopped synchronously. Never rejects.
 */
export function shutdownAll(
  targets: readonly StopTarget[],
  clock: Clock,
  report: ShutdownReport,
): undefined | Promise<void> {
  const done = new Uint8Array(targets.length);
  const groups = new Map<number, number[]>();
  let remaining = 0;
  let finish: (() => void) | undefined;
  const timers: TimerHandle[] = [];

  const settle = (i: number): void => {
    if (done[i] === 1) return;
    done[i] = 1;
    remaining--;
    if (remaining === 0 && finish) {
      for (const timer of timers) clock.clearTimeout(timer);
      finish();
    }
  };

  for (let i = 0; i < targets.length; i++) {
    const { id, child, shutdown } = targets[i]!;
    const pending = askToStop(id, child, shutdown, report);
    if (pending === undefined || shutdown === 'brutal') continue; // a brutal child is never pending
    remaining++;
    pending.then(
      () => settle(i),
      (error: unknown) => {
        if (done[i] === 0) report.stopFailed(id, error);
        settle(i);
      },
    );
    if (shutdown !== Number.POSITIVE_INFINITY) {
      const group = groups.get(shutdown);
      if (group) group.push(i);
      else groups.set(shutdown, [i]);
    }
  }
  if (remaining === 0) return;

  return new Promise<void>((resolve) => {
    finish = resolve;
    for (const [ms, group] of groups) {
      const timer = clock.setTimeout(() => {
        for (const i of group) {
          if (done[i] === 1) continue;
          const { id, child } = targets[i]!;
          report.killed(id, ms);
          forceKill(id, child, report);
          settle(i);
        }
      }, ms);
      timers.push(timer);
    }
  });
}
