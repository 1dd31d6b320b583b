import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './helpers/source-scan.js';

// The layer table lives in docs/architecture.md; this test reads it, so the page and the code
// cannot disagree. A folder may import the folders its row names, and nothing else.
const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
const DOC = join(ROOT, 'docs', 'architecture.md');
const FILES = '(files)'; // the files directly in src/: the package's doors

type Table = ReadonlyMap<string, ReadonlySet<string> | 'everything'>;

/** `| \`src/diff\` | … | contract |` rows, as folder → what it may import. */
function readTable(markdown: string): Table {
  const table = new Map<string, ReadonlySet<string> | 'everything'>();
  for (const line of markdown.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const folder = /^`src(?:\/([\w-]+))?`( \(files\))?$/.exec(cells[1] ?? '');
    if (!folder || cells.length < 5) continue;
    const name = folder[1] ?? FILES;
    const may = cells[3] ?? '';
    if (may === 'everything') table.set(name, 'everything');
    else if (may === 'nothing') table.set(name, new Set());
    else table.set(name, new Set(may.split(',').map((s) => s.trim())));
  }
  return table;
}

/** The folder of `src/` a file belongs to. */
function folderOf(file: string): string {
  const rel = relative(SRC, file).replaceAll('\\', '/');
  return rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : FILES;
}

/** Every relative import of a file (static, re-export, dynamic), resolved to a path. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    found.push(resolve(dirname(file), m[1]!));
  }
  return found;
}

/** `file → imported` edges that cross folders against the table. */
function violations(table: Table, edges: readonly (readonly [string, string])[]): string[] {
  const out: string[] = [];
  for (const [file, target] of edges) {
    if (!target.startsWith(SRC)) continue;
    const from = folderOf(file);
    const to = folderOf(target);
    if (from === to) continue;
    const may = table.get(from);
    if (may === 'everything') continue;
    if (!may?.has(to)) out.push(`${relative(SRC, file)} imports ${relative(SRC, target)} (${from} -> ${to})`);
  }
  return out;
}

const table = readTable(readFileSync(DOC, 'utf8'));
const edges = sourceFiles(SRC).flatMap((file) => importsOf(file).map((t) => [file, t] as const));

describe('the layer table of docs/architecture.md', () => {
  it('names every folder of src/, and only those', () => {
    const folders = readdirSync(SRC).filter((name) => statSync(join(SRC, name)).isDirectory());
    expect([...table.keys()].filter((k) => k !== FILES).sort()).toEqual(folders.sort());
    expect(table.get('time')).toEqual(new Set());
  });

  it('is kept by every import in src/', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(violations(table, edges)).toEqual([]);
  });

  it('catches an import that goes up', () => {
    const diffFile = join(SRC, 'diff', 'plan.ts');
    const upward = [[diffFile, join(SRC, 'runtime', 'runtime.ts')]] as const;
    expect(violations(table, upward)).toEqual(['diff/plan.ts imports runtime/runtime.ts (diff -> runtime)']);
    const dynamic = importsOf(join(SRC, 'cli', 'main.ts')).map((t) => relative(SRC, t));
    expect(dynamic).toContain('cli/commands/validate.js');
  });
});
