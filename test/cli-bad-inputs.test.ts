import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtCli } from './helpers/built-cli.js';

// The whole corpus of bad inputs through the real command, as a subprocess: each case must be
// refused with exit 1, every expected problem named on stderr as file:line with its code, and
// nothing on disk may change (no state directory, no output, no file touched). Error lines hold
// no raw control character.
const BIN = builtCli().bin; // compiled once for the run: each process starts faster
const BAD = join(import.meta.dirname, 'fixtures', 'bad');
const cases = readdirSync(BAD, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
/** A sample also run through `plan`, which must refuse before it takes the lock or observes. */
const PLANNED = new Set(cases.filter((_, i) => i % 10 === 0));

interface Expected {
  code: string;
  file: string;
  line: number;
  /** "building providers": a problem found once the providers are built. */
  when?: string;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function setpoint(args: string[], cwd: string): Promise<Run> {
  // A bare environment: the corpus relies on some variables being unset.
  const env = { PATH: process.env.PATH ?? '', NO_COLOR: '1' };
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000); // a hang fails, and leaks nothing
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Every path under `dir` with a hash of its content (directories and links marked), sorted. */
function snapshot(dir: string): string[] {
  const walk = (at: string): string[] =>
    readdirSync(at).flatMap((name) => {
      const path = join(at, name);
      const rel = relative(dir, path);
      const info = lstatSync(path);
      if (info.isDirectory()) return [`${rel}/`, ...walk(path)];
      if (info.isSymbolicLink()) return [`${rel} -> ${readlinkSync(path)}`];
      return [`${rel} ${createHash('sha256').update(readFileSync(path)).digest('hex')}`];
    });
  return walk(dir).sort();
}

/** Run `work` over `items`, at most `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: limit }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  });
  await Promise.all(lanes);
  return results;
}

interface Outcome {
  name: string;
  expected: Expected[];
  runs: { command: string; run: Run }[];
  before: string[];
  after: string[];
}

async function check(name: string): Promise<Outcome> {
  const dir = join(BAD, name);
  const raw: Expected | Expected[] = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
  const expected = Array.isArray(raw) ? raw : [raw];
  const before = snapshot(dir);
  const runs = [{ command: 'validate', run: await setpoint(['validate'], dir) }];
  if (PLANNED.has(name))
    runs.push({ command: 'plan', run: await setpoint(['plan', '-c', 'setpoint.yaml'], dir) });
  return { name, expected, runs, before, after: snapshot(dir) };
}

describe('the command line on the corpus of bad inputs', () => {
  it('refuses every case with exit 1, names each expected file:line and code, and changes nothing', async () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const outcomes = await pool(cases, 4, check);
    for (const { name, expected, runs, before, after } of outcomes) {
      for (const { command, run } of runs) {
        const label = `${name} (${command})\n${run.stderr}`;
        expect(run.code, label).toBe(1);
        expect(run.stdout, label).toBe('');
        const lines = run.stderr.split('\n');
        for (const e of expected) {
          const found = lines.some(
            (line) => line.startsWith(`${e.file}:${e.line}:`) && line.includes(` ${e.code}:`),
          );
          expect(found, `${label}\nexpected ${e.file}:${e.line} ${e.code}`).toBe(true);
        }
        expect(lines.filter((line) => line.startsWith('  hint: ')).length, label).toBeGreaterThanOrEqual(
          expected.length,
        );
        expect(run.stderr, label).toMatch(/\d+ problems? found; nothing was changed\.\n$/);
        // No raw control character reaches the terminal: specs quoted in messages are escaped.
        expect(run.stderr.replaceAll('\n', ''), label).not.toMatch(/\p{Cc}/u);
      }
      expect(after, name).toEqual(before);
    }
    expect(outcomes.filter((o) => o.runs.length > 1).length).toBe(PLANNED.size);
  }, 300_000); // a subprocess per case: the corpus outgrew the default minute
});
