import type { Observed } from '../contract/provider.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { CompiledFaults, MemoryOperation } from './memory-faults.js';

/**
 * Another writer that fights the provider's callers (`flapRate`, `flapMs`): after some successful
 * writes it puts the object back as it was, a while later, the way a second controller or a
 * person at a console undoes a change. A caller that re-applies each time it finds the object
 * changed keeps being applied without ever staying in sync: a hot loop.
 *
 * The undo is a write by someone else, straight into the store: it is not a call, so nothing
 * counts it as one or sees it overlap a call. It undoes only its own write: if anything wrote
 * the object since (the caller again, a late call, a delete), it leaves the object alone.
 * Whether a write is undone, and when, are drawn from the injected `Random` when the write
 * succeeds (one draw, and one more when `flapMs` is a range), and only when `flapRate` is set;
 * the undo waits on the injected `Clock`.
 */
export class MemoryFlap {
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #store: Map<string, Observed>;
  #reverts = 0;

  constructor(clock: Clock, random: Random, store: Map<string, Observed>) {
    this.#clock = clock;
    this.#random = random;
    this.#store = store;
  }

  /** Writes the other writer undid. */
  get reverts(): number {
    return this.#reverts;
  }

  /**
   * `op` just stored `written` at `name`, where `before` stood (`undefined`: nothing). Draw
   * whether the other writer undoes it, and when; if so, schedule the undo.
   */
  wrote(
    faults: CompiledFaults,
    op: MemoryOperation,
    name: string,
    before: Observed | undefined,
    written: Observed,
  ): void {
    if (faults.flapRate === 0) return;
    if (faults.operations !== undefined && !faults.operations.has(op)) return;
    if (this.#random() >= faults.flapRate) return;
    const [min, max] = faults.flap;
    const ms = min === max ? min : min + this.#random() * (max - min);
    this.#clock.setTimeout(() => {
      if (this.#store.get(name) !== written) return; // written since: not ours to undo
      if (before === undefined) this.#store.delete(name);
      else this.#store.set(name, before);
      this.#reverts++;
    }, ms);
  }
}
