import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * setpoint's own version, from its package.json: two folders up from this module, both in
 * `src/runtime` and in the compiled `dist/runtime` (and from `dist/cli`, where the command line
 * is bundled into one file). Read once; `unknown` if the file is not where it should be.
 */
export function packageVersion(): string {
  if (cached === undefined) {
    try {
      const url = new URL('../../package.json', import.meta.url);
      const parsed = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
      cached = typeof parsed.version === 'string' ? parsed.version : 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
