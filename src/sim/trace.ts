import { createHash, type Hash } from 'node:crypto';

/**
 * The trace of a simulation: one line per provider call start and end, per runtime event and
 * per simulation step (a desired set handed over, faults switched off), each stamped with its
 * step number and virtual time. The lines are hashed as they come (sha256), so a run of hours
 * needs no memory for its trace unless asked to keep it.
 *
 * Same seed, same trace, byte for byte: that is how determinism is tested, and how a failing
 * seed is replayed.
 *
 * ```text
 * 41 30000 > observe app/r7
 * 42 30000 ! reconcile:start {"key":"app/r7",…}
 * 43 30012 < observe app/r7 err Error: memory provider `app`: observe of `r7` failed (injected fault)
 * ```
 */
export class Trace {
  readonly #hash: Hash = createHash('sha256');
  readonly #lines: string[] | undefined;
  #step = 0;

  constructor(options: { keep?: boolean } = {}) {
    this.#lines = options.keep === true ? [] : undefined;
  }

  /** Record one line at virtual time `atMs`; returns its step number. */
  record(atMs: number, text: string): number {
    const step = this.#step++;
    const line = `${step} ${atMs} ${text}\n`;
    this.#hash.update(line);
    this.#lines?.push(line.slice(0, -1));
    return step;
  }

  /** The number of the next step: how many lines were recorded. */
  get steps(): number {
    return this.#step;
  }

  /** The kept lines, if `keep` was set. */
  get lines(): readonly string[] | undefined {
    return this.#lines;
  }

  /** The sha256 of every line so far, in hex. The trace stays usable afterwards. */
  digest(): string {
    return this.#hash.copy().digest('hex');
  }
}
