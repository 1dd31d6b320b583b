import type { Outage } from '../providers/index.js';
import type { Random } from '../time/random.js';

/**
 * Derive independent seeds from one: the runtime, each provider, the workload and the fault
 * windows each get their own stream, so adding a draw in one place does not shift the others.
 * (A 32-bit mix of the seed and a salt, after murmur3's finaliser.)
 */
export function subSeed(seed: number, salt: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** `count` outage windows inside `[0, windowMs)`, each lasting `[min, max]` ms, in time order. */
export function outageWindows(
  random: Random,
  count: number,
  windowMs: number,
  [min, max]: readonly [number, number],
): Outage[] {
  const windows: Outage[] = [];
  for (let i = 0; i < count; i++) {
    const length = Math.round(min + random() * (max - min));
    const from = Math.floor(random() * Math.max(0, windowMs - length));
    windows.push({ from, until: Math.min(windowMs, from + length) });
  }
  return windows.sort((a, b) => a.from - b.from);
}

/** `count` times in `(0, windowMs)`, sorted: when the desired set changes. */
export function changeTimes(random: Random, count: number, windowMs: number): number[] {
  return Array.from({ length: count }, () => 1 + Math.floor(random() * Math.max(1, windowMs - 1))).sort(
    (a, b) => a - b,
  );
}
