/**
 * Every numbered example prints exactly what its README shows under "## Output" (Go's
 * `// Output:`), run on a fresh `TestClock`. An example whose behaviour changes fails here
 * until its README says what it now does. And every relative link in the learning path
 * (docs, examples, exercises) points at a file that exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { TestClock } from '../src/time/test-clock.js';

interface ExampleModule {
  main(out: (line: string) => void, options?: { clock?: TestClock; databaseUrl?: string }): Promise<void>;
}

const root = resolve(import.meta.dirname, '..');
const numbered = (folder: string) =>
  readdirSync(join(root, folder), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && /^\d\d-/.test(entry.name))
    .map((entry) => entry.name)
    .sort();
const examples = numbered('examples');

/** The lines of the fenced block under "## Output" in a README. */
function expectedOutput(readme: string, where: string): string[] {
  const block = /^## Output\s*\n+```text\n([\s\S]*?)\n```/m.exec(readme);
  if (!block) throw new Error(`${where} has no "## Output" section with a \`\`\`text block`);
  return block[1]!.split('\n');
}

describe('the numbered examples', () => {
  it('are the eleven of the learning path, numbered without gaps', () => {
    expect(examples.length).toBeGreaterThanOrEqual(11);
    expect(examples.map((name) => name.slice(0, 2))).toEqual(
      examples.map((_, i) => String(i + 1).padStart(2, '0')),
    );
  });

  for (const name of examples) {
    it(`${name} prints exactly the output its README shows`, async () => {
      const readmePath = join(root, 'examples', name, 'README.md');
      const expected = expectedOutput(readFileSync(readmePath, 'utf8'), `examples/${name}/README.md`);
      const module = (await import(
        pathToFileURL(join(root, 'examples', name, 'main.ts')).href
      )) as ExampleModule;
      const lines: string[] = [];
      // The suite's PostgreSQL, for the example that needs one (it makes a database of its own).
      await module.main((line) => lines.push(line), {
        clock: new TestClock(),
        databaseUrl: inject('databaseUrl'),
      });
      expect(lines, `examples/${name}: the output differs from its README's "## Output" block`).toEqual(
        expected,
      );
    });
  }
});

/** Markdown files of the learning path. */
function learningPathDocs(): string[] {
  const files = [join(root, 'README.md'), join(root, 'docs', 'README.md')];
  const concepts = join(root, 'docs', 'concepts');
  if (existsSync(concepts)) {
    for (const f of readdirSync(concepts)) if (f.endsWith('.md')) files.push(join(concepts, f));
  }
  for (const folder of ['examples', 'exercises']) {
    for (const name of numbered(folder)) files.push(join(root, folder, name, 'README.md'));
  }
  return files;
}

describe('the learning path', () => {
  it('has only relative links that resolve to files in the repository', () => {
    const broken: string[] = [];
    for (const file of learningPathDocs()) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, ''); // skip code blocks
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1]!;
        if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue; // a URL or an anchor
        const path = resolve(dirname(file), decodeURI(target.split('#')[0]!));
        if (!existsSync(path)) broken.push(`${file.slice(root.length + 1)} -> ${target}`);
      }
    }
    expect(broken, 'links to files that do not exist').toEqual([]);
  });
});
