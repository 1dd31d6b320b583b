/**
 * Exercise 06 — rollback on failure. Read README.md first; then make `npm run exercise -- 06`
 * pass.
 *
 * This version retries in a tight loop, trusts a spec before it has worked, and never rolls
 * back. Each `TODO(you)` marks a gap.
 */
import type { Clock } from '../../src/time/clock.js';

/** A flat spec: field name to value. */
export type Spec = Record<string, string | number | boolean | null>;

/** The system being changed: `apply` makes it match `spec`, or throws. */
export interface Target {
  apply(spec: Spec): Promise<void>;
}

/** What survives between calls for one resource: the last spec that applied cleanly. */
export interface Memory {
  lastGood: Spec | undefined;
}

export interface ConvergeOptions {
  /** Failed tries of the desired spec before rolling back. At least 1. */
  readonly maxRetries: number;
  /** How long to wait before retry `attempt` (0 for the first retry), in ms. */
  readonly delayMs: (attempt: number) => number;
  readonly clock: Clock;
}

export type Outcome =
  | { readonly result: 'synced'; readonly failures: number }
  | { readonly result: 'rolled-back'; readonly failures: number; readonly error: string }
  | { readonly result: 'failed'; readonly failures: number; readonly error: string };

/** Apply `desired`, retrying with backoff; when it keeps failing, go back to the last good spec. */
export async function converge(
  target: Target,
  desired: Spec,
  memory: Memory,
  options: ConvergeOptions,
): Promise<Outcome> {
  // TODO(you): a spec is good once it has applied, not before.
  memory.lastGood = { ...desired };
  let error = '';
  for (let failures = 0; failures < options.maxRetries; failures++) {
    // TODO(you): wait options.delayMs(attempt) on options.clock before each retry.
    try {
      await target.apply(desired);
      return { result: 'synced', failures };
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
  }
  // TODO(you): out of retries: apply the last good spec, if there is one and it differs.
  return { result: 'failed', failures: options.maxRetries, error };
}
