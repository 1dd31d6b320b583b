/**
 * Randomness, injected: jitter, restart spreads and simulated faults draw from a {@link Random}
 * handed in from outside, so that a seed makes a run repeatable.
 */

/** The one source of randomness: a number in [0, 1). */
export type Random = () => number;

/**
 * A seeded pseudo-random generator (mulberry32): same seed, same sequence.
 * Fast and small; not for cryptography.
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
