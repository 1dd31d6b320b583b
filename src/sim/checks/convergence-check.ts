import { canonicalJson } from '../../diff/canonical-json.js';
import type { Violations } from '../violation.js';

/** What the convergence check reads of one resource's status. */
export interface StatusView {
  readonly phase: string;
  readonly lastError: string | undefined;
  /** Synced to its last-good spec after its desired one kept failing (rollback on). */
  readonly rolledBack?: boolean;
}

/** Everything the check looks at, at one moment. */
export interface ConvergenceInput {
  /** The last accepted desired set: key → spec. */
  readonly desired: ReadonlyMap<string, object>;
  /** What exists in the world: key → object. */
  readonly world: ReadonlyMap<string, object>;
  /** Keys the simulation seeded and never desired: checked by {@link UnmanagedCheck}, skipped here. */
  readonly unmanaged: ReadonlySet<string>;
  /** The runtime's status of `key`, if it still has an actor for it. */
  status(key: string): StatusView | undefined;
  /** Is `key` in the runtime's inventory? */
  manages(key: string): boolean;
  /** Is the object at `key` still the very one that existed before the runtime started? */
  untouched(key: string): boolean;
  /** The last-good spec of `key` in the runtime's store, for resources that rolled back. */
  lastGood?(key: string): object | undefined;
}

export interface ConvergenceVerdict {
  readonly ok: boolean;
  /** Resources the runtime holds back on purpose: Degraded by a `PermanentError`. */
  readonly held: number;
  /** Resources not where they should be. */
  readonly mismatched: number;
}

const heldBack = (status: StatusView | undefined, phases: readonly string[]): boolean =>
  status !== undefined &&
  phases.includes(status.phase) &&
  status.lastError?.startsWith('PermanentError') === true;

/**
 * **Convergence**: once the faults stop, the world is the last desired set and every actor is
 * Ready. Exactly:
 *
 * - every desired key exists with exactly its desired spec, and its actor is `synced`;
 * - nothing else the runtime ever managed is left in the world;
 * - except what the design holds back on purpose: a resource whose last error was a
 *   `PermanentError` stays Degraded ("not retried until the spec changes"), a delete that hit
 *   one stays pending, and with rollback on, a resource that exhausted its retries stays synced
 *   to its last-good spec until the spec changes; those are counted as `held`, not as failures;
 * - an object that existed before the runtime started and was never adopted may stay (it was
 *   released, not ours to delete).
 *
 * The simulation runs this once the bound after the faults stop has passed, and again at the
 * end of the run.
 */
export function checkConvergence(
  input: ConvergenceInput,
  sink: Violations,
  step: number,
  atMs: number,
): ConvergenceVerdict {
  let held = 0;
  let mismatched = 0;
  const report = (key: string, detail: string) => {
    mismatched++;
    sink.add({ invariant: 'convergence', step, atMs, key, detail });
  };
  for (const [key, spec] of input.desired) {
    const status = input.status(key);
    if (heldBack(status, ['degraded', 'backoff'])) {
      held++;
      continue;
    }
    const found = input.world.get(key);
    if (found === undefined) {
      report(key, `desired but absent (phase ${status?.phase ?? 'none'})`);
      continue;
    }
    if (status?.rolledBack === true && status.phase === 'synced') {
      const good = input.lastGood?.(key);
      if (good !== undefined && canonicalJson(good) === canonicalJson(found)) {
        held++;
        continue;
      }
    }
    const want = canonicalJson(spec);
    const have = canonicalJson(found);
    if (want !== have) report(key, `is ${have}, desired ${want} (phase ${status?.phase ?? 'none'})`);
    else if (status?.phase !== 'synced')
      report(key, `in the world as desired, but its actor is ${status?.phase ?? 'gone'}`);
  }
  for (const key of input.world.keys()) {
    if (input.desired.has(key) || input.unmanaged.has(key)) continue;
    const status = input.status(key);
    if (heldBack(status, ['deleteBackoff'])) {
      held++;
      continue;
    }
    if (!input.manages(key) && input.untouched(key)) continue;
    report(key, `no longer desired but still in the world (phase ${status?.phase ?? 'none'})`);
  }
  return { ok: mismatched === 0, held, mismatched };
}
