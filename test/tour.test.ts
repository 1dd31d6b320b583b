/**
 * docs/tour.md follows one reconcile pass through the code, naming files and what to read in
 * each. This test keeps the page true to the code: a file moved or a function renamed fails it
 * until the page says so too.
 *
 * The convention it reads. Every stop is a heading `### N. Title` (numbered 1, 2, 3, … without
 * gaps) or `### X. Title` for a detour (lettered A, B, …). Under it, one list item per file:
 *
 *   - [`src/actors/fast-path.ts`](../src/actors/fast-path.ts) · `fastCheck`, `fastObserved`
 *
 * that is: a link whose text is the file's path from the repository's root, in backticks, and
 * whose target is the same file relative to `docs/`; then ` · `; then the names to find in that
 * file, each in backticks, separated by commas. A name is an identifier; `#name` is a private
 * member. Names anywhere else on the page (the running text) are not checked.
 *
 * What it checks:
 * - every stop has at least one such line, and a link to a concept page (`concepts/*.md`);
 * - every file named exists, and defines every name cited for it: a `function`, `class`,
 *   `interface`, `type`, `enum`, `const`, `let` or `var` of that name; a method (a line that
 *   begins with the name, perhaps after modifiers such as `async`, `private`, `get`, and whose
 *   parameter list is followed by `{` or a return type, so a call is not taken for one); a
 *   member whose value is an arrow function; or `export { name }`;
 * - every relative link on the page resolves to a file, and a `#fragment` into a Markdown file
 *   to one of its headings (concept pages and decision records included);
 * - the page is linked from docs/README.md and from the README.
 *
 * It only reads text: no build, no import of the code, well under a second.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const DOCS = join(ROOT, 'docs');
const TOUR = join(DOCS, 'tour.md');
const tour = readFileSync(TOUR, 'utf8');

interface CodeLine {
  readonly file: string;
  readonly target: string;
  readonly names: readonly string[];
  readonly line: number;
}

interface Stop {
  readonly label: string;
  readonly title: string;
  readonly code: CodeLine[];
  readonly text: string;
}

const STOP = /^### ([0-9]+|[A-Z])\. (.+)$/;
const CODE_LINE = /^- \[`([^`]+)`\]\(([^)\s]+)\) · (.+)$/;
const NAME = /^#?[A-Za-z_$][\w$]*$/;

/** The stops of the tour, each with its code lines and its text. */
function stopsOf(markdown: string): Stop[] {
  const stops: Stop[] = [];
  let current: { label: string; title: string; code: CodeLine[]; lines: string[] } | undefined;
  const close = () => {
    if (current) stops.push({ ...current, text: current.lines.join('\n') });
  };
  markdown.split('\n').forEach((line, i) => {
    if (/^#{1,3} /.test(line)) {
      close();
      current = undefined;
      const stop = STOP.exec(line);
      if (stop) current = { label: stop[1]!, title: stop[2]!, code: [], lines: [] };
      return;
    }
    if (!current) return;
    current.lines.push(line);
    const code = CODE_LINE.exec(line);
    if (code) {
      const names = [...code[3]!.matchAll(/`([^`]*)`/g)].map((m) => m[1]!);
      current.code.push({ file: code[1]!, target: code[2]!, names, line: i + 1 });
    }
  });
  close();
  return stops;
}

const stripped = new Map<string, string>();

/** Source without comment lines (`//`, and the body lines of `/* … *\/` blocks) or trailing `// …`. */
function withoutComments(source: string): string {
  let code = stripped.get(source);
  if (code !== undefined) return code;
  code = source
    .split('\n')
    .map((line) => {
      const trimmed = line.trimStart();
      if (trimmed.startsWith('//') || trimmed.startsWith('/*') || trimmed.startsWith('*')) return '';
      return line.replace(/\s\/\/\s.*$/, '');
    })
    .join('\n');
  stripped.set(source, code);
  return code;
}

const MODIFIERS =
  '(?:(?:export|default|declare|abstract|public|private|protected|static|readonly|override|async|get|set|accessor)\\s+)*';

/** Where the `(` at `open` closes, or -1. */
function closing(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Does `source` (TypeScript) define `name`? See the comment at the top for what counts. */
function defines(source: string, name: string): boolean {
  const code = withoutComments(source);
  const escaped = name.replace(/[$#]/g, (c) => `\\${c}`);
  const id = `(?<![\\w$#.])${escaped}(?![\\w$])`;
  if (
    new RegExp(`\\b(?:function\\*?|class|interface|type|enum|namespace|const|let|var)\\s+${id}`).test(code)
  ) {
    return true;
  }
  for (const list of code.matchAll(/\bexport\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const item of list[1]!.split(',')) {
      const parts = item.trim().split(/\s+as\s+/);
      if (parts.at(-1)?.replace(/^type\s+/, '') === name) return true;
    }
  }
  const method = new RegExp(`^[ \\t]*${MODIFIERS}${id}\\s*[?!]?\\s*(?:<[^>\\n]*>)?\\s*\\(`, 'gm');
  for (const found of code.matchAll(method)) {
    const close = closing(code, found.index + found[0].length - 1);
    if (close !== -1 && /^\s*[:{]/.test(code.slice(close + 1, close + 40))) return true;
  }
  const arrow = new RegExp(
    `^[ \\t]*${MODIFIERS}${id}\\s*[?!]?\\s*[:=]\\s*(?:async\\s+)?(?:\\([^()]*\\)|[\\w$]+)\\s*(?::[^=\\n]+)?=>`,
    'm',
  );
  return arrow.test(code);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings (outside fenced code). */
function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
}

const stops = stopsOf(tour);
const numbered = stops.filter((s) => /^\d+$/.test(s.label));
const detours = stops.filter((s) => /^[A-Z]$/.test(s.label));

describe('the guided tour (docs/tour.md)', () => {
  it('has numbered stops without gaps, then lettered detours, each with where to look', () => {
    expect(numbered.length, 'stops').toBeGreaterThanOrEqual(15);
    expect(numbered.map((s) => Number(s.label))).toEqual(numbered.map((_, i) => i + 1));
    expect(detours.map((s) => s.label)).toEqual(detours.map((_, i) => String.fromCharCode(65 + i)));
    const bare = stops.filter((s) => s.code.length === 0).map((s) => `${s.label}. ${s.title}`);
    expect(bare, 'stops without a `- [`file`](…) · `name`` line').toEqual([]);
  });

  it('links every stop to the concept page that explains it', () => {
    const without = stops
      .filter((s) => !/\]\(concepts\/[\w-]+\.md(?:#[\w-]+)?\)/.test(s.text))
      .map((s) => `${s.label}. ${s.title}`);
    expect(without, 'stops with no link to docs/concepts').toEqual([]);
  });

  it('names files that exist, each linked to itself', () => {
    const problems: string[] = [];
    for (const stop of stops) {
      for (const c of stop.code) {
        const path = resolve(DOCS, c.target);
        if (relative(ROOT, path).replaceAll('\\', '/') !== c.file) {
          problems.push(`line ${c.line}: the link text \`${c.file}\` and its target ${c.target} differ`);
        } else if (!existsSync(path)) {
          problems.push(`line ${c.line}: ${c.file} does not exist`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('names only what each file defines', () => {
    const missing: string[] = [];
    const sources = new Map<string, string>();
    for (const stop of stops) {
      for (const c of stop.code) {
        const path = join(ROOT, c.file);
        if (!existsSync(path)) continue; // reported above
        let source = sources.get(path);
        if (source === undefined) {
          source = readFileSync(path, 'utf8');
          sources.set(path, source);
        }
        expect(c.names.length, `line ${c.line}: names nothing`).toBeGreaterThan(0);
        for (const name of c.names) {
          if (!NAME.test(name)) missing.push(`line ${c.line}: \`${name}\` is not a name`);
          else if (!defines(source, name))
            missing.push(`stop ${stop.label}: ${c.file} defines no \`${name}\``);
        }
      }
    }
    expect(missing, 'names the tour cites that its files do not define').toEqual([]);
  });

  it('has only relative links that resolve, fragments included', () => {
    const broken: string[] = [];
    const text = tour.replace(/```[\s\S]*?```/g, '');
    for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!;
      if (/^[a-z]+:/i.test(target)) continue; // a URL
      const [path, fragment] = target.split('#') as [string, string | undefined];
      const file = path === '' ? TOUR : resolve(dirname(TOUR), decodeURI(path));
      if (!existsSync(file)) broken.push(`${target}: no such file`);
      else if (fragment !== undefined && file.endsWith('.md') && !anchorsOf(file).has(fragment)) {
        broken.push(`${target}: no heading with that anchor`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('is on the learning path: linked from docs/README.md and the README', () => {
    expect(readFileSync(join(DOCS, 'README.md'), 'utf8')).toContain('](tour.md)');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('](docs/tour.md)');
  });
});

describe('what counts as defining a name', () => {
  const source = [
    'export function a() {}',
    'export const b = 1;',
    'class C {',
    '  #d(x: number): void {}',
    '  async e<T>(',
    '    y: T,',
    '  ): Promise<void> {}',
    '  get f(): number { return 1; }',
    '  readonly g = (z: number) => z;',
    '}',
    'function h() {',
    '  a();',
    '  b(',
    '    1,',
    '  );',
    '}',
    '/** function i, in a comment */',
    'export { j as k };',
  ].join('\n');

  it('finds declarations, methods and exports', () => {
    for (const name of ['a', 'b', 'C', '#d', 'e', 'f', 'g', 'h', 'k'])
      expect(defines(source, name), name).toBe(true);
  });

  it('takes neither a call nor a comment for a definition', () => {
    for (const name of ['i', 'j', 'z', 'd']) expect(defines(source, name), name).toBe(false);
  });
});
