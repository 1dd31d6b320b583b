/**
 * Exercise 06 — rollback on failure: a solution.
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

const sleep = (clock: Clock, ms: number) => new Promise<void>((resolve) => clock.setTimeout(resolve, ms));
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Apply `desired`, retrying with backoff; when it keeps failing, go back to the last good spec. */
export async function converge(
  target: Target,
  desired: Spec,
  memory: Memory,
  options: ConvergeOptions,
): Promise<Outcome> {
  let error = '';
  for (let failures = 0; failures < options.maxRetries; failures++) {
    if (failures > 0) await sleep(options.clock, options.delayMs(failures - 1));
    try {
      await target.apply(desired);
    } catch (e) {
      error = message(e);
      continue;
    }
    memory.lastGood = { ...desired }; // only now is it known to be good
    return { result: 'synced', failures };
  }
  const lastGood = memory.lastGood;
  if (lastGood === undefined || JSON.stringify(lastGood) === JSON.stringify(desired)) {
    return { result: 'failed', failures: options.maxRetries, error };
  }
  try {
    await target.apply(lastGood);
  } catch (e) {
    return { result: 'failed', failures: options.maxRetries, error: message(e) };
  }
  return { result: 'rolled-back', failures: options.maxRetries, error };
}
