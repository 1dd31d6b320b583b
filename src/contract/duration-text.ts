/**
 * Durations as people write them, for messages everywhere (a config's minimum, a progress
 * deadline, a deletion budget's window) and for the config file, whose `parseDuration` reads
 * this text back.
 */

/**
 * The shortest text the config's `parseDuration` reads back as `ms`: `formatDuration(90_000)` is `1m30s`.
 * Throws a `TypeError` for anything but a whole number of milliseconds from 0 up.
 */
export function formatDuration(ms: number): string {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0) {
    throw new TypeError(`Expected \`ms\` to be a whole number of milliseconds >= 0, got \`${String(ms)}\``);
  }
  if (ms === 0) return '0ms';
  let rest = ms;
  let text = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}
