import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { COMMANDS, COMMON_OPTIONS } from '../src/cli/commands.js';
import { configFileSchema } from '../src/config/config-schema.js';
import { resourceDocumentSchema } from '../src/config/resource-schema.js';
import { builtinProviders } from '../src/providers/builtin.js';
import { createRuntimeMetrics } from '../src/runtime/metrics.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';

// The reference in docs/reference/ is checked against the code it describes: every config key,
// event, metric, command and flag the code has must appear on its page as a code span, so
// adding one without documenting it fails here.
const ROOT = join(import.meta.dirname, '..');
const REFERENCE = join(ROOT, 'docs', 'reference');

function page(name: string): string {
  return readFileSync(join(REFERENCE, name), 'utf8');
}

/** The markdown without its fenced code blocks. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
}

/** Every inline code span of the text, outside fenced blocks. */
function codeSpans(markdown: string): Set<string> {
  const spans = new Set<string>();
  for (const match of prose(markdown).matchAll(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)) {
    spans.add(match[2]!.trim());
  }
  return spans;
}

/**
 * The part of a page under the heading whose text is `title` (up to the next heading of the
 * same level or higher). Fails when there is no such heading.
 */
function section(markdown: string, title: string): string {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^#{1,6} /.test(line) && line.replace(/^#+ /, '') === title);
  if (start === -1) throw new Error(`no heading "${title}"`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const end = lines.findIndex((line, i) => {
    if (i <= start) return false;
    const hashes = /^(#+) /.exec(line);
    return hashes !== null && hashes[1]!.length <= level;
  });
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** The code spans in the first cell of each table row: the names a table documents. */
function rowNames(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of prose(markdown).split('\n')) {
    if (!line.startsWith('|')) continue;
    for (const name of codeSpans(line.split('|')[1] ?? '')) names.add(name);
  }
  return names;
}

/** What of `wanted` has no table row of its own in `markdown` (its name in the first cell). */
function missing(markdown: string, wanted: Iterable<string>): string[] {
  const names = rowNames(markdown);
  return [...wanted].filter((name) => !names.has(name));
}

// ---------------------------------------------------------------------------------------------
// Config keys, from the JSON Schema of the zod schemas.

/**
 * Every property path of a JSON Schema: `defaults.backoff.base`; an entry of a record (a schema's
 * `additionalProperties`) is written `<kind>`, as `providers.<kind>.use`.
 */
function keyPaths(schema: unknown, prefix: string, out: Set<string>): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) keyPaths(item, prefix, out);
    return out;
  }
  if (typeof schema !== 'object' || schema === null) return out;
  for (const [word, value] of Object.entries(schema as Record<string, unknown>)) {
    if (word === 'properties' && typeof value === 'object' && value !== null) {
      for (const [name, sub] of Object.entries(value)) {
        const path = prefix === '' ? name : `${prefix}.${name}`;
        out.add(path);
        keyPaths(sub, path, out);
      }
    } else if (word === 'additionalProperties' && typeof value === 'object' && value !== null) {
      keyPaths(value, `${prefix}.<kind>`, out);
    } else if (word !== 'propertyNames') {
      keyPaths(value, prefix, out);
    }
  }
  return out;
}

function schemaKeys(schema: z.ZodType): string[] {
  return [...keyPaths(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }), '', new Set())];
}

describe('docs/reference/config.md', () => {
  const config = () => page('config.md');

  it('the walk finds the keys of both schemas, nested ones too', () => {
    const file = schemaKeys(configFileSchema);
    const resource = schemaKeys(resourceDocumentSchema);
    expect(file).toEqual(
      expect.arrayContaining(['resources', 'providers.<kind>.use', 'defaults.backoff.base']),
    );
    expect(resource).toEqual(expect.arrayContaining(['kind', 'spec', 'policy.interval']));
  });

  it('names every key of setpoint.yaml, by its full path, under "setpoint.yaml"', () => {
    expect(missing(section(config(), 'setpoint.yaml'), schemaKeys(configFileSchema))).toEqual([]);
  });

  it('names every key of a resource document under "Resource documents"', () => {
    expect(missing(section(config(), 'Resource documents'), schemaKeys(resourceDocumentSchema))).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Events, from the `RuntimeEvents` interface in the source.

interface EventDecl {
  readonly name: string;
  /** The payload's own fields (nested ones as `budget.max`). */
  readonly fields: readonly string[];
  /** Whether the payload carries the fields every resource event has. */
  readonly resourceBase: boolean;
}

/** `text` without its comments. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

/** The text between the bracket at `open` and its match. */
function inside(text: string, open: number): string {
  const pairs: Record<string, string> = { '{': '}', '(': ')', '[': ']' };
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const c = text[i]!;
    if (c in pairs) depth++;
    else if (c === '}' || c === ')' || c === ']') depth--;
    if (depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`unbalanced ${text[open]} at ${open}`);
}

/** `text` cut at `separators` that are outside every bracket. */
function splitTop(text: string, separators: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if ('{(['.includes(c)) depth++;
    else if ('})]'.includes(c)) depth--;
    else if (depth === 0 && separators.includes(c)) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

const MEMBER = /^(?:readonly\s+)?(?:'([^']+)'|"([^"]+)"|([\w$]+))\??\s*:\s*([\s\S]*)$/;

/** The fields of the object type literals at the top of `type`, nested ones as `budget.max`. */
function literalFields(type: string, prefix: string, out: string[]): string[] {
  for (let i = 0; i < type.length; i++) {
    if (type[i] !== '{') continue;
    const body = inside(type, i);
    for (const member of splitTop(body, ';,\n')) {
      const m = MEMBER.exec(member);
      if (!m) continue;
      const path = `${prefix}${m[1] ?? m[2] ?? m[3]}`;
      out.push(path);
      if (m[4]!.trim().startsWith('{')) literalFields(m[4]!, `${path}.`, out);
    }
    i += body.length + 1;
  }
  return out;
}

/** The body of `interface name { … }` in `source`. */
function interfaceBody(source: string, name: string): string {
  const at = new RegExp(`interface ${name}\\s*\\{`).exec(source);
  if (!at) throw new Error(`events.ts no longer declares ${name}`);
  return inside(source, at.index + at[0].length - 1);
}

/** The events of `RuntimeEvents` in the source, each with the fields of its payload. */
function readEvents(): { events: EventDecl[]; baseFields: string[] } {
  const source = withoutComments(readFileSync(join(ROOT, 'src', 'runtime', 'events.ts'), 'utf8'));
  const baseFields = literalFields(`{${interfaceBody(source, 'ResourceEventBase')}}`, '', []);
  const events: EventDecl[] = [];
  for (const member of splitTop(interfaceBody(source, 'RuntimeEvents'), ';')) {
    const m = MEMBER.exec(member);
    if (!m) throw new Error(`cannot read the event declared as: ${member}`);
    const type = m[4]!;
    const params = type.startsWith('(') ? inside(type, 0) : '';
    const payload = MEMBER.exec(splitTop(params, ',')[0] ?? '')?.[4] ?? '';
    events.push({
      name: (m[1] ?? m[2] ?? m[3])!,
      fields: literalFields(payload, '', []),
      resourceBase: /\bResourceEventBase\b/.test(payload),
    });
  }
  return { events, baseFields };
}

describe('docs/reference/events.md', () => {
  const events = () => page('events.md');
  const declared = readEvents();

  it('reads the events from the source', () => {
    const names = declared.events.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['reconcile:start', 'drift', 'runtime:failed']));
    expect(declared.baseFields).toEqual(expect.arrayContaining(['key', 'generation']));
    expect(declared.events.find((e) => e.name === 'deletion:held')?.fields).toContain('budget.max');
  });

  it('has a section for every event, headed by its name', () => {
    const headings = new Set(
      prose(events())
        .split('\n')
        .filter((line) => line.startsWith('### '))
        .map((line) => line.slice(4)),
    );
    const absent = declared.events.map((e) => `\`${e.name}\``).filter((h) => !headings.has(h));
    expect(absent).toEqual([]);
  });

  it("names every payload field in its event's section", () => {
    const absent: string[] = [];
    for (const event of declared.events) {
      const text = section(events(), `\`${event.name}\``);
      for (const field of missing(text, event.fields)) absent.push(`${event.name}: ${field}`);
      if (event.resourceBase && !text.includes('(#resource-fields)')) {
        absent.push(`${event.name}: a link to the resource fields`);
      }
    }
    expect(absent).toEqual([]);
  });

  it('names the fields every resource event carries under "Resource fields"', () => {
    expect(missing(section(events(), 'Resource fields'), declared.baseFields)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Metrics, from a registry the runtime's metrics are registered in.

interface MetricDecl {
  readonly name: string;
  readonly type: string;
  readonly labels: readonly string[];
}

async function readMetrics(): Promise<MetricDecl[]> {
  const registry = new Registry();
  createRuntimeMetrics({ registry, phases: () => [], held: () => [], clock: new TestClock() });
  const metrics = await registry.getMetricsAsJSON();
  return metrics.map((metric) => {
    const instance = registry.getSingleMetric(metric.name) as unknown as { labelNames?: readonly string[] };
    return { name: metric.name, type: String(metric.type), labels: [...(instance.labelNames ?? [])] };
  });
}

describe('docs/reference/metrics.md', () => {
  const metrics = () => page('metrics.md');

  it('has a table row for every metric: its name, type and labels', async () => {
    const declared = await readMetrics();
    expect(declared.map((m) => m.name)).toContain('setpoint_reconcile_total');
    const rows = prose(metrics())
      .split('\n')
      .filter((line) => line.startsWith('|'));
    const wrong: string[] = [];
    for (const metric of declared) {
      const row = rows.find((line) => line.split('|')[1]?.trim() === `\`${metric.name}\``);
      if (row === undefined) {
        wrong.push(`${metric.name}: no row`);
        continue;
      }
      const cells = row.split('|').map((cell) => cell.trim());
      if (cells[2] !== metric.type) wrong.push(`${metric.name}: type ${metric.type}, not ${cells[2]}`);
      const labels = codeSpans(cells[3] ?? '');
      const want = new Set(metric.labels);
      if ([...want].some((l) => !labels.has(l)) || [...labels].some((l) => !want.has(l))) {
        wrong.push(`${metric.name}: labels ${metric.labels.join(', ') || '(none)'}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The command line, from the table its parser and help read.

/** `-c, --config <file>` → the code spans a page must hold: `-c`, `--config`. */
function flagsOf(usage: string): string[] {
  return [...usage.matchAll(/(?:^|\s|,)(--?[A-Za-z][\w-]*)/g)].map((m) => m[1]!);
}

describe('docs/reference/cli.md', () => {
  const cli = () => page('cli.md');

  it('names the options every command takes under "Options of every command"', () => {
    const flags = Object.values(COMMON_OPTIONS).flatMap((o) => flagsOf(o.usage));
    expect(flags).toEqual(expect.arrayContaining(['-c', '--config', '--json']));
    expect(missing(section(cli(), 'Options of every command'), flags)).toEqual([]);
  });

  it('has a section for every command, with its own flags and every exit status', () => {
    const wrong: string[] = [];
    for (const command of Object.values(COMMANDS)) {
      let text: string;
      try {
        text = section(cli(), `\`setpoint ${command.name}\``);
      } catch {
        wrong.push(`${command.name}: no section`);
        continue;
      }
      const flags = Object.values(command.options).flatMap((o) => flagsOf(o.usage));
      for (const flag of missing(text, flags)) wrong.push(`${command.name}: ${flag}`);
      const codes = new Set(
        prose(text)
          .split('\n')
          .map((line) => /^\|\s*`(\d+)`\s*\|/.exec(line)?.[1])
          .filter((code) => code !== undefined),
      );
      for (const [code] of command.exit) {
        if (!codes.has(String(code))) wrong.push(`${command.name}: exit ${code}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('names every environment variable the command line reads', () => {
    const names = new Set<string>();
    const dirs = ['cli', 'config', 'server', 'store'].map((d) => join(ROOT, 'src', d));
    for (const file of dirs.flatMap((dir) => walk(dir))) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const text = withoutComments(readFileSync(file, 'utf8'));
      for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]*)\b/g)) names.add(m[1]!);
      for (const m of text.matchAll(/\benv\[\s*['"]([A-Z][A-Z0-9_]*)['"]\s*\]/g)) names.add(m[1]!);
      for (const m of text.matchAll(/_VARIABLE\s*=\s*['"]([A-Z][A-Z0-9_]*)['"]/g)) names.add(m[1]!);
    }
    expect([...names]).toEqual(expect.arrayContaining(['NO_COLOR', 'SETPOINT_STATE_KEY']));
    expect(missing(section(cli(), 'Environment'), names)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The built-in providers' options, from what each one says it allows.

const ENV = { clock: new TestClock(), random: seededRandom(1), kind: 'things', configDir: ROOT };

/** The options a provider allows, as the error for an unknown one lists them. */
function allowedOptions(make: () => unknown): string[] {
  try {
    make();
  } catch (error) {
    const list = /the allowed options are (.*)$/.exec((error as Error).message)?.[1];
    if (list === undefined) throw error;
    return [...list.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  }
  throw new Error('an unknown option was accepted');
}

describe('docs/reference/providers.md', () => {
  const providers = () => page('providers.md');
  const bogus = { 'no-such-option': 1 };

  it('names every option of every built-in provider in its section', () => {
    const wanted: Record<string, string[]> = {
      file: allowedOptions(() => builtinProviders.file!(bogus, ENV)),
      http: allowedOptions(() => builtinProviders.http!(bogus, ENV)),
      process: allowedOptions(() => builtinProviders.process!(bogus, ENV)),
      node: allowedOptions(() => builtinProviders.node!(bogus, ENV)),
      memory: [
        ...allowedOptions(() => builtinProviders.memory!(bogus, ENV)),
        ...allowedOptions(() => builtinProviders.memory!({ faults: bogus }, ENV)).map((k) => `faults.${k}`),
      ],
    };
    expect(Object.keys(builtinProviders).sort()).toEqual(Object.keys(wanted).sort());
    expect(wanted.http).toEqual(expect.arrayContaining(['baseUrl', 'update']));
    expect(wanted.memory).toEqual(expect.arrayContaining(['initial', 'faults.failRate']));
    const absent = Object.entries(wanted).flatMap(([use, options]) =>
      missing(section(providers(), use), options).map((option) => `${use}: ${option}`),
    );
    expect(absent).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Links.

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** The targets of a page's links, inline (`[text](target)`) and by reference (`[id]: target`). */
function linksOf(markdown: string): string[] {
  const text = prose(markdown).replace(/(`+)[\s\S]*?\1/g, '');
  const inline = [...text.matchAll(/\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+"[^"]*")?\s*\)/g)].map(
    (m) => (m[1] ?? m[2])!,
  );
  const defined = [...text.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  return [...inline, ...defined];
}

/** The anchors of a page's headings, as a repository host makes them (`## \`a:b\` c` → `ab-c`). */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose(markdown).split('\n')) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

const isRelative = (target: string) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#');

describe('links', () => {
  const pages = [join(ROOT, 'README.md'), ...walk(join(ROOT, 'docs')).filter((f) => f.endsWith('.md'))];

  it('the link reader finds inline and reference links, and skips code', () => {
    const found = linksOf('[a](x.md) [b](<y z.md>) `[c](no.md)`\n\n[d]: ../w.md\n\n```\n[e](no.md)\n```\n');
    expect(found).toEqual(['x.md', 'y z.md', '../w.md']);
  });

  it('no relative link in docs/ or README.md leads outside the repository', () => {
    const outside: string[] = [];
    for (const file of pages) {
      for (const target of linksOf(readFileSync(file, 'utf8')).filter(isRelative)) {
        const path = target.startsWith('/')
          ? join(ROOT, target)
          : resolve(dirname(file), decodeURI(target.split('#')[0]!));
        const rel = relative(ROOT, path);
        if (rel === '..' || rel.startsWith(`..${sep}`)) outside.push(`${relative(ROOT, file)}: ${target}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it('every relative link in docs/reference/ leads to a file that exists, and to a heading in it', () => {
    const broken: string[] = [];
    for (const file of walk(REFERENCE).filter((f) => f.endsWith('.md'))) {
      for (const target of linksOf(readFileSync(file, 'utf8')).filter(
        (t) => !/^[a-z][a-z0-9+.-]*:/i.test(t),
      )) {
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const to = path === '' ? file : resolve(dirname(file), decodeURI(path));
        if (!existsSync(to)) broken.push(`${relative(ROOT, file)}: ${target}`);
        else if (
          anchor !== undefined &&
          to.endsWith('.md') &&
          !anchorsOf(readFileSync(to, 'utf8')).has(anchor)
        ) {
          broken.push(`${relative(ROOT, file)}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('README.md and docs/README.md link to the reference', () => {
    expect(linksOf(readFileSync(join(ROOT, 'README.md'), 'utf8'))).toContain('docs/reference/README.md');
    expect(linksOf(readFileSync(join(ROOT, 'docs', 'README.md'), 'utf8'))).toContain('reference/README.md');
  });
});
