import type { Violations } from '../violation.js';

export interface Intensity {
  /** Restarts tolerated within `withinMs`; one more and the supervisor gives up. */
  readonly maxRestarts: number;
  readonly withinMs: number;
}

export interface SupervisionCheckOptions {
  /** The intensity of each kind's supervisor (the runtime's `supervision` option). */
  readonly kind: Intensity;
  /** The root supervisor's intensity: it restarts a kind supervisor that escalated. */
  readonly root: Intensity;
}

interface KindModel {
  /** Restart times in the current incarnation's window, oldest first. */
  window: number[];
  /** The crash that exceeded the intensity; the escalation is due. */
  due: { atMs: number; step: number } | undefined;
  /** Crashed keys waiting for their restart. */
  readonly pending: Map<string, { atMs: number; step: number }>;
  escalations: number;
}

/**
 * **Supervision keeps its intensity** (OTP semantics), checked against a reference
 * model fed with the runtime's events:
 *
 * - every `actor:crashed` within the intensity is followed by an `actor:restarted` of that key;
 * - a crash that makes more than `maxRestarts` restarts within `withinMs` (a restart exactly
 *   `withinMs` ago has left the window) must be followed by exactly one `supervisor:escalated`
 *   for its kind, and no escalation may come without one. The escalation may come later in
 *   virtual time than the crash: the supervisor first stops its children, which waits for
 *   their operations in flight;
 * - the root restarts an escalated kind supervisor (so every actor of that kind restarts) and
 *   gives up itself — `runtime:failed` — exactly when escalations exceed the root's intensity.
 *
 * The model is written independently of `src/supervisor/restart-intensity.ts`: it is the spec.
 */
export class SupervisionCheck {
  readonly #kinds = new Map<string, KindModel>();
  readonly #rootWindow: number[] = [];
  #rootDue: { atMs: number; step: number } | undefined;
  readonly #options: SupervisionCheckOptions;
  readonly #sink: Violations;

  constructor(sink: Violations, options: SupervisionCheckOptions) {
    this.#sink = sink;
    this.#options = options;
  }

  crashed(kind: string, key: string, step: number, atMs: number): void {
    const model = this.#model(kind);
    if (model.due !== undefined) return; // the supervisor is giving up: it ignores exits now
    const { maxRestarts, withinMs } = this.#options.kind;
    if (maxRestarts === Number.POSITIVE_INFINITY) {
      model.pending.set(key, { atMs, step });
      return;
    }
    if (slide(model.window, atMs, withinMs) > maxRestarts) {
      model.due = { atMs, step };
      model.window = [];
      model.pending.clear();
      return;
    }
    model.pending.set(key, { atMs, step });
  }

  restarted(kind: string, key: string, step: number, atMs: number): void {
    const model = this.#model(kind);
    if (model.pending.delete(key)) return;
    if (model.escalations > 0) return; // the root restarted the whole kind
    this.#report(step, atMs, key, 'restarted without a crash or an escalation');
  }

  escalated(kind: string, step: number, atMs: number): void {
    const model = this.#model(kind);
    model.escalations++;
    if (model.due === undefined) {
      this.#report(step, atMs, kind, 'escalated without exceeding its restart intensity');
    }
    model.due = undefined;
    model.window = []; // the root starts a fresh supervisor, with a fresh window
    const { maxRestarts, withinMs } = this.#options.root;
    if (this.#rootDue === undefined && slide(this.#rootWindow, atMs, withinMs) > maxRestarts) {
      this.#rootDue = { atMs, step };
    }
  }

  runtimeFailed(step: number, atMs: number): void {
    if (this.#rootDue === undefined) {
      this.#report(step, atMs, '*', 'the runtime failed without its root exceeding its intensity');
    }
    this.#rootDue = undefined;
  }

  /**
   * The run is over: a due escalation that never came, or a crash never restarted, is a
   * violation. `graceMs`: how long an escalation may take (children stop within the shutdown
   * timeout).
   */
  finish(step: number, atMs: number, graceMs: number): void {
    for (const [kind, model] of this.#kinds) {
      if (model.due !== undefined && atMs - model.due.atMs > graceMs) {
        this.#report(
          step,
          atMs,
          kind,
          `exceeded its intensity at ${model.due.atMs} ms (step ${model.due.step}) and never escalated`,
        );
      }
      for (const [key, crash] of model.pending) {
        this.#report(
          step,
          atMs,
          key,
          `crashed at ${crash.atMs} ms (step ${crash.step}) and was never restarted`,
        );
      }
    }
    if (this.#rootDue !== undefined && atMs - this.#rootDue.atMs > graceMs) {
      this.#report(
        step,
        atMs,
        '*',
        `the root exceeded its intensity at ${this.#rootDue.atMs} ms and the runtime did not fail`,
      );
    }
  }

  /** Escalations seen per kind. */
  escalations(kind: string): number {
    return this.#kinds.get(kind)?.escalations ?? 0;
  }

  #model(kind: string): KindModel {
    let model = this.#kinds.get(kind);
    if (model === undefined) {
      model = { window: [], due: undefined, pending: new Map(), escalations: 0 };
      this.#kinds.set(kind, model);
    }
    return model;
  }

  #report(step: number, atMs: number, key: string, detail: string): void {
    this.#sink.add({ invariant: 'supervision-intensity', step, atMs, key, detail });
  }
}

/** Add a restart at `atMs` to `window` (oldest first), drop those `withinMs` or more ago; the count. */
function slide(window: number[], atMs: number, withinMs: number): number {
  let drop = 0;
  while (drop < window.length && window[drop]! <= atMs - withinMs) drop++;
  if (drop > 0) window.splice(0, drop);
  window.push(atMs);
  return window.length;
}
