import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every non-test `.ts` file under `dir`. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });
}

/**
 * The lines of `text` (as `line: name`) where a forbidden pattern appears in code: line
 * comments are cut off and doc-comment lines skipped, since those may show examples.
 */
export function findForbidden(text: string, forbidden: readonly (readonly [string, RegExp])[]): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    const code = line.replace(/\/\/.*$/, '');
    if (/^\s*\*/.test(code)) return;
    for (const [name, pattern] of forbidden) if (pattern.test(code)) found.push(`${i + 1}: ${name}`);
  });
  return found;
}
