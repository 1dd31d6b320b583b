import { keyOf, type Resource } from '../../contract/resource.js';
import { canonicalJson } from '../../diff/canonical-json.js';
import type { CallStart } from '../call.js';
import type { Violations } from '../violation.js';

export interface StaleSpecCheckOptions {
  /**
   * With rollback on, the spec a Degraded resource may fall back to (the store's last-good).
   * Absent: only the latest accepted spec is allowed.
   */
  readonly lastGood?: (key: string) => Record<string, unknown> | undefined;
}

interface Accepted {
  readonly text: string;
  readonly step: number;
  readonly atMs: number;
  /** The key left the desired set; its last spec stays the only one allowed. */
  removed: boolean;
}

/**
 * **No stale generation**: once a newer spec for a key has been accepted, no create or update
 * that starts afterwards may carry an older one. Every accepted desired set is recorded here
 * with its acceptance time; every create / update call must carry exactly the latest accepted
 * spec for its key (or, with rollback on, the key's last-good spec).
 *
 * A call that started *before* the newer spec was accepted is fine: it was current when it
 * began, and the runtime re-observes afterwards. Calls are checked when they start, so that
 * is exactly what is allowed. A key that left the desired set keeps its last spec: a create
 * already admitted when the delete was asked for may still run, with that spec.
 */
export class StaleSpecCheck {
  readonly #latest = new Map<string, Accepted>();
  readonly #lastGood: StaleSpecCheckOptions['lastGood'];
  readonly #sink: Violations;

  constructor(sink: Violations, options: StaleSpecCheckOptions = {}) {
    this.#sink = sink;
    this.#lastGood = options.lastGood;
  }

  /** A desired set was accepted at `atMs`: it holds every desired key, and no other. */
  acceptSet(resources: readonly Resource[], step: number, atMs: number): void {
    const present = new Set<string>();
    for (const resource of resources) {
      const key = keyOf(resource);
      present.add(key);
      this.accept(key, resource.spec, step, atMs);
    }
    for (const [key, accepted] of this.#latest) if (!present.has(key)) accepted.removed = true;
  }

  /** One key's spec was accepted at `atMs`. */
  accept(key: string, spec: object, step: number, atMs: number): void {
    const text = canonicalJson(spec);
    const before = this.#latest.get(key);
    if (before !== undefined && before.text === text) {
      before.removed = false;
      return;
    }
    this.#latest.set(key, { text, step, atMs, removed: false });
  }

  start(call: CallStart): void {
    if (call.op !== 'create' && call.op !== 'update') return;
    const text = canonicalJson(call.spec ?? {});
    const latest = this.#latest.get(call.key);
    if (latest?.text === text) return;
    const good = this.#lastGood?.(call.key);
    if (good !== undefined && canonicalJson(good) === text) return;
    this.#sink.add({
      invariant: 'no-stale-spec',
      step: call.step,
      atMs: call.atMs,
      key: call.key,
      detail:
        latest === undefined
          ? `${call.op} with ${text}, but no spec was ever accepted for this key`
          : `${call.op} with ${text}, but ${latest.text} was accepted at ${latest.atMs} ms (step ${latest.step})`,
    });
  }
}
