import type { Random } from '../time/random.js';

/**
 * Jitter modes: how a capped exponential delay is spread at random.
 * - `none`: the capped exponential delay itself.
 * - `full`: uniform in [0, delay] — spreads retries best; the default.
 * - `equal`: delay/2 plus uniform in [0, delay/2] — never less than half.
 * - `decorrelated`: uniform in [base, min(cap, 3·previous)] (never an upper end below base),
 *   where `previous` is the delay actually waited last time (the base before the first
 *   retry). It ignores the exponential
 *   delay: each delay grows from the one before it, so the chain spreads out on its own and two
 *   resources that failed together drift apart. The caller keeps the chain: it passes the delay
 *   it used last time (see `Backoff.delay`).
 */
export type JitterMode = 'none' | 'full' | 'equal' | 'decorrelated';

export const JITTER_MODES: readonly JitterMode[] = ['none', 'full', 'equal', 'decorrelated'];

/**
 * Apply `mode` to the capped exponential `delay`. Pure but for the `random` passed in.
 * `context.previousMs`, the delay actually waited last time, is read by `decorrelated` only.
 */
export function applyJitter(
  mode: JitterMode,
  delay: number,
  random: Random,
  context: { baseMs: number; capMs: number; previousMs: number },
): number {
  switch (mode) {
    case 'none':
      return delay;
    case 'full':
      return random() * delay;
    case 'equal':
      return delay / 2 + random() * (delay / 2);
    case 'decorrelated': {
      const upper = Math.min(context.capMs, Math.max(context.baseMs, context.previousMs * 3));
      return context.baseMs + random() * (upper - context.baseMs);
    }
  }
}
