/**
 * Every numbered example prints exactly what its README shows under "## Output" (Go's
 * `// Output:`), run on a fresh `TestClock`. An example whose behaviour changes fails here
 * until its README says what it now does. The named examples run real processes on real time,
 * so their output varies: each is run as a user runs it, and checked for what it must show and
 * for leaving nothing behind. And every relative link in the learning path (docs, examples,
 * exercises) points at a file that exists.
 */
import { execFile } from 'node:child_process';
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
/** The examples beyond the learning path: a folder with a README.md and a main.ts, no number. */
const named = readdirSync(join(root, 'examples'), { withFileTypes: true })
  .filter(
    (entry) =>
      entry.isDirectory() &&
      !/^\d\d-/.test(entry.name) &&
      existsSync(join(root, 'examples', entry.name, 'README.md')) &&
      existsSync(join(root, 'examples', entry.name, 'main.ts')),
  )
  .map((entry) => entry.name)
  .sort();

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

/** The live processes whose command line holds `text`. */
function processesWith(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // a zombie runs nothing
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe.runIf(process.platform === 'linux')('the gitops-edge example', () => {
  it('is one of the named examples', () => {
    expect(named).toContain('gitops-edge');
  });

  it('runs as `npm run example -- gitops-edge` does: installs, updates, survives a node crash, and leaves nothing behind', async () => {
    const server = join(root, 'examples', 'gitops-edge', 'server.mjs');
    expect(processesWith(server), 'services of an earlier run still running').toEqual([]);
    const began = Date.now();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (done) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'scripts/run-example.ts', 'gitops-edge'],
          { cwd: root, timeout: 110_000, maxBuffer: 4 * 1024 * 1024 },
          (error, out, err) => done({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
        );
      },
    );
    const seconds = (Date.now() - began) / 1000;
    expect(code, `exit ${code}\n${stdout}\n${stderr}`).toBe(0);
    const lines = stdout.split('\n');
    const has = (pattern: RegExp) =>
      expect(
        lines.some((line) => pattern.test(line)),
        String(pattern),
      ).toBe(true);

    // Installed from the first commit, and setpoint status names it; then the second one.
    const pushed = [...stdout.matchAll(/pushed ([0-9a-f]{7}) /g)].map((m) => m[1]);
    const atCommit = [...stdout.matchAll(/Source git \(.*origin\.git main\): at commit ([0-9a-f]{12})/g)].map(
      (m) => m[1]!.slice(0, 7),
    );
    expect(pushed).toHaveLength(2);
    expect(atCommit).toEqual([pushed[0], pushed[1], pushed[1]]);
    has(new RegExp(`/status: source git \\(ref main, path deployments/site-a\\) now at commit ${pushed[1]}`));
    for (const node of ['en1', 'en2', 'en3']) {
      has(new RegExp(`installed: web-${node} on ${node} answers "web-${node} v1"`));
      has(
        new RegExp(
          `updated: web-${node} answers "web-${node} v2" .*; v1 \\(pid \\d+\\) stopped once v2 was healthy`,
        ),
      );
    }
    has(new RegExp(`POST /sources/sync: 200, git applied ${pushed[1]} \\(0 added, 3 changed, 0 removed\\)`));
    // The crash: unreachable, not counted; then installed again on the agent that came back.
    has(/deployments\/web-en2: Ready no, reason NodeUnreachable/);
    has(/attempts 0: a node away is not a failure/);
    has(/deployments\/web-en2 +\w+ +no \(NodeUnreachable\) +0 +NodeUnreachable: node en2 is unreachable/);
    has(/Nodes: en1 reachable, en2 UNREACHABLE, en3 reachable/);
    has(/reinstalled: web-en2 answers "web-en2 v2"/);
    // Reconciled when the heartbeat came back, not at the next retry (30 heartbeats: 15 s).
    const after = /reinstalled: .*, ([\d.]+)s after the agent was started/.exec(stdout);
    expect(Number(after?.[1])).toBeLessThan(10);
    has(/orchestrator exited 0/);
    has(/left behind: no process/);
    expect(lines.filter((line) => line !== '').at(-1)).toMatch(/\] done$/);

    // Nothing of it is left: no process, no temporary directory.
    const tmp = /^working in (.+)$/m.exec(stdout)?.[1] ?? '';
    expect(tmp).toMatch(/setpoint-gitops-edge-/);
    expect(existsSync(tmp)).toBe(false);
    expect(processesWith(tmp)).toEqual([]);
    expect(processesWith(server)).toEqual([]);
    expect(seconds, 'the example should take well under a minute').toBeLessThan(90);
  }, 120_000);
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
  for (const name of named) files.push(join(root, 'examples', name, 'README.md'));
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
