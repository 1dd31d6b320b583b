/**
 * Rows as aligned columns, two spaces apart; the last column is not padded.
 *
 * ```ts
 * table([['KEY', 'PHASE'], ['files/motd', 'synced']]);
 * // 'KEY         PHASE\nfiles/motd  synced'
 * ```
 */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A duration for people, short: `250ms`, `1.7s`, `2m5s`. */
export function shortDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole < 1000) return `${whole}ms`;
  if (whole < 60_000) return `${(whole / 1000).toFixed(1).replace(/\.0$/, '')}s`;
  const minutes = Math.floor(whole / 60_000);
  const seconds = Math.round((whole % 60_000) / 1000);
  return seconds === 0 ? `${minutes}m` : `${minutes}m${seconds}s`;
}
