import { retryAfterOf } from '../../contract/errors.js';
import type { CallEnd, CallStart } from '../call.js';
import type { Violations } from '../violation.js';

/** The part of an `action:failed` event this check reads. */
export interface FailedNotice {
  readonly key: string;
  readonly step: number;
  readonly atMs: number;
  /** When the actor tries again, in ms from now; `undefined` after a permanent error. */
  readonly delayMs: number | undefined;
  readonly permanent: boolean;
}

export interface BackoffCheckOptions {
  /** The configured backoff cap, in ms. */
  readonly capMs: number;
}

interface Due {
  readonly failedAt: number;
  readonly delayMs: number;
}

interface Pass {
  /** The trace step at which the running pass began; -1 when the key rests. */
  began: number;
  /** The trace step of the last wake. */
  wokenAt: number;
}

/**
 * **Backoff is bounded on both sides**: the delay after a failure never
 * exceeds the cap, never undercuts the `retryAfterMs` the failing call carried (a server's
 * floor wins over our cap), a permanent error schedules no retry at all — and the actor
 * really waits: the next call for the key starts no sooner than the delay said.
 *
 * The floor is read from the provider call itself (the error it threw), not from the event, so
 * an event that forgot the floor is caught.
 *
 * A new generation, a removal or a fresh incarnation of the actor may act at once: the
 * simulation calls {@link wake} for those. A wake that arrives while a pass is running is
 * coalesced into one follow-up pass, which runs as soon as the pass ends — even
 * when it ends in a failure. That follow-up may start at once; only a `Retry-After` floor
 * still holds for it (the provider-wide pause). A pass begins at `reconcile:start`, or at its
 * first call when there is none (a delete), and ends at its `reconcile:done` or failure.
 */
export class BackoffCheck {
  readonly #capMs: number;
  readonly #sink: Violations;
  /** The last failed call per key: when, and the floor it carried. */
  readonly #lastFailure = new Map<string, { atMs: number; floorMs: number | undefined }>();
  readonly #due = new Map<string, Due>();
  readonly #passes = new Map<string, Pass>();

  constructor(sink: Violations, options: BackoffCheckOptions) {
    this.#sink = sink;
    this.#capMs = options.capMs;
  }

  end(call: CallEnd): void {
    if (call.error === undefined) this.#lastFailure.delete(call.key);
    else this.#lastFailure.set(call.key, { atMs: call.atMs, floorMs: retryAfterOf(call.error) });
  }

  failed(e: FailedNotice): void {
    const last = this.#lastFailure.get(e.key);
    const floor = last !== undefined && last.atMs === e.atMs ? last.floorMs : undefined;
    const report = (detail: string) =>
      this.#sink.add({ invariant: 'backoff-bounds', step: e.step, atMs: e.atMs, key: e.key, detail });
    if (e.delayMs === undefined) {
      if (!e.permanent) report('a retryable failure scheduled no retry');
      this.#due.set(e.key, { failedAt: e.atMs, delayMs: Number.POSITIVE_INFINITY });
      return;
    }
    if (e.permanent) report(`a permanent error scheduled a retry in ${e.delayMs} ms`);
    const floorMs = floor === undefined ? 0 : Math.ceil(floor);
    const ceiling = Math.max(this.#capMs, floorMs);
    if (!(e.delayMs >= 0)) report(`delay ${e.delayMs} ms is not a number of ms >= 0`);
    if (e.delayMs > ceiling) report(`delay ${e.delayMs} ms exceeds the cap of ${ceiling} ms`);
    if (e.delayMs < floorMs) report(`delay ${e.delayMs} ms undercuts Retry-After ${floorMs} ms`);
    const followUp = this.#endPass(e.key);
    this.#due.set(e.key, { failedAt: e.atMs, delayMs: followUp ? floorMs : e.delayMs });
  }

  /**
   * A pass begins (`reconcile:start`). A second start without an end in between (an apply
   * superseded by a new generation observes again) continues the same pass.
   */
  passStarted(key: string, step: number): void {
    const pass = this.#pass(key);
    if (pass.began < 0) pass.began = step;
  }

  /** A pass ended without a failure (`reconcile:done`, or the resource is gone). */
  passEnded(key: string): void {
    this.#endPass(key);
  }

  /** Ends the key's pass; true when a wake arrived while it ran (a follow-up pass is due at once). */
  #endPass(key: string): boolean {
    const pass = this.#passes.get(key);
    if (pass === undefined) return false;
    const followUp = pass.began >= 0 && pass.wokenAt > pass.began;
    pass.began = -1;
    return followUp;
  }

  #pass(key: string): Pass {
    let pass = this.#passes.get(key);
    if (pass === undefined) {
      pass = { began: -1, wokenAt: -1 };
      this.#passes.set(key, pass);
    }
    return pass;
  }

  start(call: CallStart): void {
    const pass = this.#pass(call.key);
    if (pass.began < 0) pass.began = call.step;
    const due = this.#due.get(call.key);
    if (due === undefined) return;
    this.#due.delete(call.key);
    if (call.atMs >= due.failedAt + due.delayMs) return;
    this.#sink.add({
      invariant: 'backoff-bounds',
      step: call.step,
      atMs: call.atMs,
      key: call.key,
      detail: Number.isFinite(due.delayMs)
        ? `${call.op} ${call.atMs - due.failedAt} ms after a failure, sooner than its delay of ${due.delayMs} ms`
        : `${call.op} after a permanent error, with nothing new to try`,
    });
  }

  /** `key` may act at once: a new spec, a removal, or a fresh actor (at trace step `step`). */
  wake(key: string, step: number): void {
    this.#due.delete(key);
    this.#pass(key).wokenAt = step;
  }
}
