import type { CallEnd, CallStart } from '../call.js';
import type { Violations } from '../violation.js';

/**
 * **One operation at a time per key**: a call for a key may start only once the
 * previous call for that key has settled — not when the runtime's timeout gave up on it, but
 * when the provider's own promise did.
 *
 * ```ts
 * const check = new OverlapCheck(violations);
 * check.start(call); // reports if another call for call.key is still running
 * check.end(done);
 * ```
 */
export class OverlapCheck {
  readonly #running = new Map<string, CallStart[]>();
  readonly #sink: Violations;

  constructor(sink: Violations) {
    this.#sink = sink;
  }

  start(call: CallStart): void {
    const running = this.#running.get(call.key);
    if (running === undefined) {
      this.#running.set(call.key, [call]);
      return;
    }
    const other = running[0]!;
    this.#sink.add({
      invariant: 'one-operation-per-key',
      step: call.step,
      atMs: call.atMs,
      key: call.key,
      detail: `${call.op} started while ${other.op} (call #${other.id}, started at ${other.atMs} ms) was still running`,
    });
    running.push(call);
  }

  end(call: CallEnd): void {
    const running = this.#running.get(call.key);
    if (running === undefined) return;
    const at = running.findIndex((c) => c.id === call.id);
    if (at >= 0) running.splice(at, 1);
    if (running.length === 0) this.#running.delete(call.key);
  }

  /** Calls running now, for every key. */
  get inFlight(): number {
    let n = 0;
    for (const calls of this.#running.values()) n += calls.length;
    return n;
  }
}
