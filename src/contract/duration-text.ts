/**
 * Durations as people write them, for messages everywhere (a config's minimum, a progress
 * deadline, a deletion budget's window), and read back by `parseDuration` (the config file, a
 * provider's spec).
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

/**
 * Durations as people write them in a config file: `500ms`, `30s`, `5m`, `1h`, `1h30m`, or a
 * plain number of milliseconds.
 *
 * ```ts
 * parseDuration('1h30m'); // { ok: true, ms: 5_400_000 }
 * parseDuration(250);     // { ok: true, ms: 250 }
 * parseDuration('30');    // { ok: false, reason: '"30" has no unit: write 30ms or 30s' }
 * formatDuration(5_400_000); // '1h30m'
 * ```
 *
 * Units go from largest to smallest, each at most once; a part may have a fraction (`1.5h`) as
 * long as the whole comes to a whole number of milliseconds. A string of bare digits is refused:
 * `30` could mean seconds as easily as milliseconds, so it has to say which.
 */

/** The longest duration a timer can wait: Node fires longer `setTimeout`s after 1 ms instead. */
export const MAX_DURATION_MS = 2_147_483_647;

const PART = String.raw`\d+(?:\.\d+)?`;

/**
 * The accepted text, as a regular expression source (also used by the JSON Schema). A part
 * `Nm` is minutes only when no `s` follows, so `5ms` stays milliseconds.
 */
export const DURATION_PATTERN = `^(?=.)(?:(${PART})h)?(?:(${PART})m(?!s))?(?:(${PART})s)?(?:(${PART})ms)?$`;

const DURATION = new RegExp(DURATION_PATTERN);
const UNIT_MS = [3_600_000, 60_000, 1000, 1] as const;

export type DurationResult =
  | { readonly ok: true; readonly ms: number }
  | { readonly ok: false; readonly reason: string };

/** Parse a duration. Never throws: anything that is not a duration gets a reason. */
export function parseDuration(value: unknown): DurationResult {
  if (typeof value === 'number') return checkRange(value, String(value));
  if (typeof value !== 'string') {
    return fail(`expected a duration such as 30s, 1h30m or a number of milliseconds, got ${typeName(value)}`);
  }
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    return fail(`${quote(value)} has no unit: write ${text}ms or ${text}s`);
  }
  const match = DURATION.exec(text);
  if (match === null) {
    return fail(`${quote(value)} is not a duration: write it like 500ms, 30s, 5m, 1h or 1h30m`);
  }
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const part = match[i + 1];
    if (part !== undefined) ms += Number(part) * UNIT_MS[i]!;
  }
  // Fractions of hours and minutes are binary floating point: 0.1h is 360000.00000000006 ms.
  const rounded = Math.round(ms * 1000) / 1000;
  return checkRange(rounded, quote(value));
}

function checkRange(ms: number, shown: string): DurationResult {
  if (!Number.isFinite(ms) || ms < 0) return fail(`${shown} is not a duration: it must be 0 or more`);
  if (!Number.isInteger(ms)) return fail(`${shown} is not a whole number of milliseconds`);
  if (ms > MAX_DURATION_MS) {
    return fail(
      `${shown} is too long: a duration is at most ${formatDuration(MAX_DURATION_MS)} (about 24.8 days)`,
    );
  }
  return { ok: true, ms };
}

function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function fail(reason: string): DurationResult {
  return { ok: false, reason };
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value).slice(0, 40)}`;
}
