import type { Violations } from '../violation.js';

export interface Intensity {
  /** Restarts tolerated within `withinMs`; one more and the supervisor gives up. */
  readonly maxRestarts: number;
  readonly withinMs: number;
}

/** When a kind fails as a whole: more than max(maxRestarts, systemicShare × its resources) distinct resources crashing within withinMs. */
export interface KindSupervision extends Intensity {
  readonly systemicShare: number;
}

export interface SupervisionCheckOptions {
  /** The runtime's `supervision` option. */
  readonly kind: KindSupervision;
  /** The root supervisor's intensity: it restarts a kind supervisor that escalated. */
  readonly root: Intensity;
  /** The longest a crashed resource may wait for its restart (the restart backoff's cap). */
  readonly restartWithinMs: number;
}

interface KindModel {
  /** Keys that crashed within the window, with their last crash, oldest first. */
  readonly recent: Map<string, number>;
  /** The crash that made the failure systemic; the escalation is due. */
  due: { atMs: number; step: number } | undefined;
  /** Crashed keys waiting for their restart. */
  readonly pending: Map<string, { atMs: number; step: number }>;
  escalations: number;
}

/**
 * **Supervision keeps its promises**, checked against a reference model fed with the runtime's
 * events:
 *
 * - every `actor:crashed` is followed by an `actor:restarted` of that key, within the restart
 *   backoff's cap (a crash loop is retried for ever), unless its kind escalates;
 * - one resource's crashes never escalate: a kind escalates only when more than
 *   max(`maxRestarts`, `systemicShare` × its resources) distinct resources of it crash within
 *   `withinMs` (a crash exactly `withinMs` ago has left the window). Then exactly one
 *   `supervisor:escalated` must follow, and none may come without more than `maxRestarts`
 *   distinct crashing resources. The escalation may come later in virtual time than the crash:
 *   the kind first stops its actors, which waits for their operations in flight;
 * - the root restarts an escalated kind supervisor (so every actor of that kind restarts) and
 *   gives up itself — `runtime:failed` — exactly when escalations exceed the root's intensity.
 *
 * The model is written independently of `src/runtime/crash-loops.ts`: it is the spec.
 */
export class SupervisionCheck {
  readonly #kinds = new Map<string, KindModel>();
  /** Resources per kind in the desired set last handed over. */
  readonly #resources = new Map<string, number>();
  readonly #rootWindow: number[] = [];
  #rootDue: { atMs: number; step: number } | undefined;
  readonly #options: SupervisionCheckOptions;
  readonly #sink: Violations;

  constructor(sink: Violations, options: SupervisionCheckOptions) {
    this.#sink = sink;
    this.#options = options;
  }

  /** A desired set was handed over with `count` resources of `kind`. */
  resources(kind: string, count: number): void {
    this.#resources.set(kind, count);
  }

  crashed(kind: string, key: string, step: number, atMs: number): void {
    const model = this.#model(kind);
    if (model.due !== undefined) return; // the kind is failing: its crashes no longer count
    const { maxRestarts, withinMs, systemicShare } = this.#options.kind;
    const limit = Math.max(maxRestarts, Math.ceil(systemicShare * (this.#resources.get(kind) ?? 0)));
    if (distinct(model.recent, key, atMs, withinMs) > limit) {
      model.due = { atMs, step };
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
    if (model.due === undefined && model.recent.size <= this.#options.kind.maxRestarts) {
      this.#report(step, atMs, kind, 'escalated without more than maxRestarts of its resources crashing');
    }
    model.due = undefined;
    model.recent.clear(); // the root starts a fresh supervisor, with a fresh window
    model.pending.clear(); // ... and an actor for every resource of the kind
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
        if (atMs - crash.atMs <= this.#options.restartWithinMs + graceMs) continue; // still backing off
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
      model = { recent: new Map(), due: undefined, pending: new Map(), escalations: 0 };
      this.#kinds.set(kind, model);
    }
    return model;
  }

  #report(step: number, atMs: number, key: string, detail: string): void {
    this.#sink.add({ invariant: 'supervision-intensity', step, atMs, key, detail });
  }
}

/** Note `key`'s crash at `atMs` in `recent` (oldest first), drop those `withinMs` or more ago; how many keys remain. */
function distinct(recent: Map<string, number>, key: string, atMs: number, withinMs: number): number {
  recent.delete(key);
  recent.set(key, atMs);
  for (const [k, at] of recent) {
    if (at > atMs - withinMs) break;
    recent.delete(k);
  }
  return recent.size;
}

/** Add a restart at `atMs` to `window` (oldest first), drop those `withinMs` or more ago; the count. */
function slide(window: number[], atMs: number, withinMs: number): number {
  let drop = 0;
  while (drop < window.length && window[drop]! <= atMs - withinMs) drop++;
  if (drop > 0) window.splice(0, drop);
  window.push(atMs);
  return window.length;
}
