import type { CallEnd } from '../call.js';
import type { Violations } from '../violation.js';

/** What the memory provider says when a create finds the key already there. */
export const CREATE_OF_EXISTING = 'create of an existing key';

/**
 * **Never a create for a key that exists.** The runtime observes before it creates and holds
 * the key's operation gate in between, so a create can only meet an existing object if it
 * skipped a look, trusted a stale one, or raced another call. The memory provider refuses such
 * a create with an error that says `create of an existing key`; this check counts those.
 */
export class CreateExistingCheck {
  readonly #sink: Violations;
  #count = 0;

  constructor(sink: Violations) {
    this.#sink = sink;
  }

  end(call: CallEnd): void {
    if (call.op !== 'create' || call.error === undefined) return;
    const message = call.error instanceof Error ? call.error.message : String(call.error);
    if (!message.includes(CREATE_OF_EXISTING)) return;
    this.#count++;
    this.#sink.add({
      invariant: 'no-create-of-existing',
      step: call.step,
      atMs: call.atMs,
      key: call.key,
      detail: `create refused by the provider: ${message}`,
    });
  }

  /** Creates refused because the key existed: must be 0. */
  get count(): number {
    return this.#count;
  }
}
