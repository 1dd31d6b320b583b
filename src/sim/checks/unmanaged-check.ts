import type { CallStart } from '../call.js';
import type { Violations } from '../violation.js';

export interface UnmanagedCheckOptions {
  /** Keys of objects that exist in the world and are never desired. */
  readonly unmanaged: Iterable<string>;
  /** Is `key` in the runtime's inventory (created or adopted by it) right now? */
  readonly manages: (key: string) => boolean;
}

/**
 * **Never touch what is not ours** (Argo CD / Flux prune semantics): an object the
 * runtime did not create or adopt is never deleted, and an object that is never desired is
 * never created, updated, restarted or deleted. Only `observe` may look at it.
 *
 * Checked at the start of every call: a delete must name a key in the runtime's inventory at
 * that moment, and no call but observe may name an unmanaged key. At the end of a run the
 * simulation also checks that each unmanaged object is still the very object it seeded.
 */
export class UnmanagedCheck {
  readonly #unmanaged: ReadonlySet<string>;
  readonly #manages: (key: string) => boolean;
  readonly #sink: Violations;

  constructor(sink: Violations, options: UnmanagedCheckOptions) {
    this.#sink = sink;
    this.#unmanaged = new Set(options.unmanaged);
    this.#manages = options.manages;
  }

  start(call: CallStart): void {
    if (call.op === 'observe') return;
    if (this.#unmanaged.has(call.key)) {
      this.#report(call, `${call.op} of an object that is never desired`);
      return;
    }
    if (call.op === 'delete' && !this.#manages(call.key)) {
      this.#report(call, 'delete of an object that is not in the inventory');
    }
  }

  /** At the end: an unmanaged object that is gone or changed. */
  changed(key: string, step: number, atMs: number, what: string): void {
    this.#sink.add({ invariant: 'unmanaged-untouched', step, atMs, key, detail: what });
  }

  #report(call: CallStart, detail: string): void {
    this.#sink.add({
      invariant: 'unmanaged-untouched',
      step: call.step,
      atMs: call.atMs,
      key: call.key,
      detail,
    });
  }
}
