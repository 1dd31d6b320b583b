import type { Random } from '../time/random.js';

/**
 * Jitter modes, after the AWS Architecture Blog's "Exponential Backoff and Jitter":
 * - `none`: the capped exponential delay itself.
 * - `full`: uniform in [0, delay] — spreads retries best; the default.
 * - `equal`: delay/2 plus uniform in [0, delay/2] — never less than half.
 * - `decorrelated`: uniform in [base, previous·3], capped — depends on the previous delay.
 */
export type JitterMode = 'none' | 'full' | 'equal' | 'decorrelated';

export const JITTER_MODES: readonly JitterMode[] = ['none', 'full', 'equal', 'decorrelated'];

/** Apply `mode` to the capped exponential `delay`. Pure but for the `random` passed in. */
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
