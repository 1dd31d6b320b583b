import { PermanentError, RetryableError } from '../contract/errors.js';
import { isAborted, type ProviderContext } from '../contract/provider.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { untilAborted, wait } from './abortable.js';
import {
  type CompiledFaults,
  INVALID_VALUE,
  MEMORY_OPERATIONS,
  type MemoryOperation,
  outageAt,
  pickFault,
} from './memory-faults.js';

/** Calls that reached each operation of a memory provider, faulted or not. */
export type MemoryCalls = Record<MemoryOperation, number>;

/**
 * The way every call of a memory provider goes before it touches the store: counted, tracked
 * per name while it runs, and given its fault, if any, in the order `memoryProvider` documents
 * (outage, latency, then one draw that picks the fault). A faulted call never reaches the store,
 * but for a zombie, which reaches it late, after its signal aborted.
 */
export class MemoryCallGate {
  readonly calls = Object.fromEntries(MEMORY_OPERATIONS.map((op) => [op, 0])) as MemoryCalls;
  readonly #kind: string;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #running = new Map<string, number>();
  #faults: CompiledFaults;
  #total = 0;
  #overlaps = 0;
  #zombies = 0;

  constructor(kind: string, clock: Clock, random: Random, faults: CompiledFaults) {
    this.#kind = kind;
    this.#clock = clock;
    this.#random = random;
    this.#faults = faults;
  }

  /** Calls that started while another call for the same name was still running. */
  get overlaps(): number {
    return this.#overlaps;
  }

  /** Calls that drew the zombie fault: they ran on past their abort, then did their work. */
  get zombies(): number {
    return this.#zombies;
  }

  /** Calls running now for `name`, or for every name when `name` is omitted. */
  inFlight(name?: string): number {
    return name === undefined ? this.#total : (this.#running.get(name) ?? 0);
  }

  /** The faults in force now. */
  get faults(): CompiledFaults {
    return this.#faults;
  }

  /** Replace the faults; calls already running keep what they drew. */
  setFaults(faults: CompiledFaults): void {
    this.#faults = faults;
  }

  /** Whether a fault can hit `op`: when not, a call skips the fault path entirely. */
  affected(op: MemoryOperation): boolean {
    const faults = this.#faults;
    return faults.active && (faults.operations === undefined || faults.operations.has(op));
  }

  /** How errors name a call: the provider, the operation and the object. */
  where(op: MemoryOperation, name: string): string {
    return `memory provider \`${this.#kind}\`: ${op} of \`${name}\``;
  }

  /** Applies the faults for one call; resolves true when the call must return `INVALID_VALUE`. */
  async inject(op: MemoryOperation, name: string, ctx: ProviderContext): Promise<boolean> {
    const f = this.#faults;
    const window = outageAt(f, this.#clock.now());
    if (window)
      throw new Error(`${this.where(op, name)} failed: outage from ${window.from} to ${window.until} ms`);
    if (f.latency) {
      const [min, max] = f.latency;
      await wait(this.#clock, min === max ? min : min + this.#random() * (max - min), ctx.signal);
    }
    if (f.thresholds[5] === 0) return false;
    switch (pickFault(f, this.#random())) {
      case 'fail':
        throw new Error(`${this.where(op, name)} failed (injected fault)`);
      case 'hang':
        return untilAborted(ctx.signal);
      case 'retryAfter':
        throw new RetryableError(`${this.where(op, name)} was throttled (injected fault)`, {
          retryAfterMs: f.retryAfterMs,
        });
      case 'permanent':
        throw new PermanentError(`${this.where(op, name)} was refused (injected permanent fault)`);
      case 'crash':
        return true;
      case 'zombie':
        await this.#zombie(f.zombie, ctx.signal);
        return false;
      default:
        return false;
    }
  }

  /** Runs one per-key operation: counts it, tracks it, injects faults, then does `work`. */
  async run<T>(op: MemoryOperation, name: string, ctx: ProviderContext, work: () => T): Promise<T> {
    this.calls[op]++;
    if (isAborted(ctx)) throw ctx.signal.reason;
    this.#enter(name);
    try {
      if (this.affected(op) && (await this.inject(op, name, ctx))) return INVALID_VALUE as unknown as T;
      return work();
    } finally {
      this.#leave(name);
    }
  }

  /**
   * A zombie: deaf to `signal` but for noticing that it aborted, it runs on for its drawn time
   * on the clock, then lets the call do its real work. The time is drawn when the fault is.
   */
  async #zombie([min, max]: readonly [number, number], signal: AbortSignal): Promise<void> {
    this.#zombies++;
    const ms = min === max ? min : min + this.#random() * (max - min);
    if (!signal.aborted) {
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    }
    await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, ms));
  }

  #enter(name: string): void {
    const n = this.#running.get(name) ?? 0;
    if (n > 0) this.#overlaps++;
    this.#running.set(name, n + 1);
    this.#total++;
  }

  #leave(name: string): void {
    const n = this.#running.get(name) ?? 1;
    if (n <= 1) this.#running.delete(name);
    else this.#running.set(name, n - 1);
    this.#total--;
  }
}
