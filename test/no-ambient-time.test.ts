import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findForbidden, sourceFiles } from './helpers/source-scan.js';

// Time and randomness come only through the injected Clock / Random (src/time/clock.ts).
const SRC = join(import.meta.dirname, '..', 'src');
const ALLOWED = new Set(['time/clock.ts', 'time/test-clock.ts']);
const FORBIDDEN: [string, RegExp][] = [
  ['Date.now', /\bDate\.now\s*\(/],
  ['new Date()', /\bnew\s+Date\s*\(\s*\)/],
  ['setTimeout', /(?<![.\w])setTimeout\s*\(/],
  ['setInterval', /(?<![.\w])setInterval\s*\(/],
  ['Math.random', /\bMath\.random\s*\(/],
  ['performance.now', /\bperformance\.now\s*\(/],
];

function findAmbientTime(text: string): string[] {
  return findForbidden(text, FORBIDDEN);
}

describe('ambient time and randomness', () => {
  it('is used nowhere in src/ except the clock module', () => {
    const offenders = sourceFiles(SRC)
      .filter((file) => !ALLOWED.has(relative(SRC, file).replaceAll('\\', '/')))
      .flatMap((file) =>
        findAmbientTime(readFileSync(file, 'utf8')).map((hit) => `${relative(SRC, file)}:${hit}`),
      );
    expect(offenders).toEqual([]);
  });

  it('is caught by the check when it appears', () => {
    expect(findAmbientTime('const t = Date.now();\nsetTimeout(f, 1);\nclock.setTimeout(f, 1);')).toEqual([
      '1: Date.now',
      '2: setTimeout',
    ]);
    expect(findAmbientTime('const r = Math.random(); const d = new Date();')).toEqual([
      '1: new Date()',
      '1: Math.random',
    ]);
  });
});
