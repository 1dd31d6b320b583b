import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileStore } from '../src/store/file-store.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';
import { builtCli } from './helpers/built-cli.js';

// `setpoint apply` over a few hundred real files (the built-in file provider, wrapped only to
// log its creates and deletes) is killed with SIGKILL at random points, many of them inside
// prunes of hundreds of files. After every kill the next apply, of a new desired set, must
// complete, and leave exactly that set: no bricked state, no leaked file (managed or
// temporary), no create of a file that already existed.
//
// The suite makes KILLS = 100 kills (SETPOINT_KILL9_APPLY_KILLS sets another number, and
// SETPOINT_KILL9_SEED another seed); the figures are printed at the end. The CLI is compiled
// once for the test run, so each of the 200-odd processes starts in about 0.6 s, not 1 s.
const SEED = Number(process.env.SETPOINT_KILL9_SEED ?? 4242);
const KILLS = Number(process.env.SETPOINT_KILL9_APPLY_KILLS ?? 100);
const RESOURCES = 200;
const cli = builtCli();

/** The built-in file provider, logging each create (and whether its file was there) and delete. */
const PROVIDER = `
import { appendFileSync, lstatSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileProvider } from "__FILE_MODULE__";

export function createProvider(options, env) {
  const inner = fileProvider({ root: resolve(env.configDir, options.root), kind: env.kind });
  const log = resolve(env.configDir, options.log);
  const there = (spec) => { try { lstatSync(join(inner.root, spec.path)); return true; } catch { return false; } };
  const record = (op, resource) =>
    appendFileSync(log, JSON.stringify({ op, name: resource.name, existed: there(resource.spec), pid: process.pid }) + '\\n');
  return {
    ...inner,
    async create(desired, ctx) { record('create', desired); return inner.create(desired, ctx); },
    async delete(current, ref, ctx) { record('delete', ref); return inner.delete(current, ref, ctx); },
  };
}
`;

const CONFIG = `resources: [desired.yaml]
state: .setpoint
providers:
  files: { module: ./logged-file.mjs, options: { root: ./world, log: ./operations.log } }
defaults:
  prune: true
  concurrency: 16
`;

type Desired = Map<string, string>;
const pathOf = (name: string) => `d${Number(name.slice(1)) % 8}/${name}.txt`;

function writeDesired(dir: string, desired: Desired): void {
  const docs = [...desired].map(
    ([name, content]) =>
      `kind: files\nname: ${name}\nspec: { path: ${pathOf(name)}, content: ${JSON.stringify(content)} }\n`,
  );
  writeFileSync(join(dir, 'desired.yaml'), docs.join('---\n'));
}

/** Every file under `dir`, by path relative to it. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

function apply(dir: string) {
  const child = spawn(process.execPath, [cli.bin, 'apply', '--approve-deletions'], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const out = { text: '' };
  child.stderr.on('data', (chunk: Buffer) => {
    out.text += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    out.text += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out, exited };
}

/**
 * Lines in the operations log, read incrementally: only the bytes added since the last call,
 * through one descriptor kept open (the log only grows; it is polled every 2 ms).
 */
const seen = { fd: undefined as number | undefined, offset: 0, lines: 0 };
const logLines = (dir: string): number => {
  if (seen.fd === undefined) {
    try {
      seen.fd = openSync(join(dir, 'operations.log'), 'r');
    } catch {
      return seen.lines;
    }
  }
  const size = fstatSync(seen.fd).size;
  if (size > seen.offset) {
    const chunk = Buffer.alloc(size - seen.offset);
    readSync(seen.fd, chunk, 0, chunk.length, seen.offset);
    for (const byte of chunk) if (byte === 0x0a) seen.lines++;
    seen.offset = size;
  }
  return seen.lines;
};

describe('setpoint apply under SIGKILL, with hundreds of files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'setpoint-kill9-apply-'));
    const fileModule = pathToFileURL(join(cli.dist, 'providers', 'file.js')).href;
    writeFileSync(join(dir, 'logged-file.mjs'), PROVIDER.replace('__FILE_MODULE__', fileModule));
    writeFileSync(join(dir, 'setpoint.yaml'), CONFIG);
  });
  afterAll(() => {
    if (seen.fd !== undefined) closeSync(seen.fd);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`recovers from ${KILLS} kills, inside large prunes too: no bricked state, leak or duplicate`, async () => {
    const random = seededRandom(SEED);
    const figures = { kills: 0, killsInPrunes: 0, bricked: 0, leaked: 0, duplicates: 0, runs: 0 };
    const pick = (big: boolean): Desired => {
      const desired: Desired = new Map();
      const share = big ? 0.95 : 0.08;
      const version = random() < 0.5 ? 'v1' : 'v2';
      for (let i = 0; i < RESOURCES; i++) {
        const name = `f${String(i).padStart(3, '0')}`;
        if (random() < share) desired.set(name, `${name} ${random() < 0.8 ? version : 'v3'}`);
      }
      return desired;
    };

    /** An apply that must complete and leave exactly `desired`; counts what it did not. */
    const completes = async (desired: Desired, after: string) => {
      writeDesired(dir, desired);
      const run = apply(dir);
      const code = await run.exited;
      figures.runs++;
      if (code !== 0) {
        figures.bricked++;
        expect.fail(`seed ${SEED}, ${after}: apply exited ${code}:\n${run.out.text.slice(-3000)}`);
      }
      const want = [...desired.keys()].map(pathOf).sort();
      const world = filesUnder(join(dir, 'world'));
      const leaked = world.filter((path) => !want.includes(path));
      const temps = filesUnder(join(dir, '.setpoint')).filter((name) => name.endsWith('.tmp'));
      figures.leaked += leaked.length + temps.length;
      expect([...leaked, ...temps], `seed ${SEED}, ${after}: leaked`).toEqual([]);
      expect(world, `seed ${SEED}, ${after}`).toEqual(want);
      for (const [name, content] of desired) {
        expect(readFileSync(join(dir, 'world', pathOf(name)), 'utf8')).toBe(content);
      }
    };

    let current = pick(true);
    await completes(current, 'the first apply');
    for (let life = 0; figures.kills < KILLS; life++) {
      // From a big world, shrink: the kill lands among hundreds of deletes. Else grow or change.
      const wasBig = current.size > RESOURCES / 2;
      const target = pick(!wasBig || random() < 0.25);
      const deletes = [...current.keys()].filter((name) => !target.has(name)).length;
      const creates = [...target.keys()].filter((name) => !current.has(name)).length;
      writeDesired(dir, target);
      const before = logLines(dir);
      const run = apply(dir);
      // Kill after a random number of logged operations (or, one time in five, at a random
      // time, which may be while it starts and recovers).
      const ops = Math.floor(random() * Math.max(1, deletes + creates));
      const early = random() < 0.2 ? 200 + Math.floor(random() * 1500) : undefined;
      const started = Date.now();
      let exited = false;
      void run.exited.then(() => {
        exited = true;
      });
      while (!exited) {
        if (early !== undefined ? Date.now() - started >= early : logLines(dir) - before >= ops) break;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (!exited && run.child.kill('SIGKILL')) {
        const code = await run.exited;
        if (code === null) {
          figures.kills++;
          const log = readFileSync(join(dir, 'operations.log'), 'utf8').split('\n').slice(before);
          const deleted = log.filter((line) => line.includes('"op":"delete"')).length;
          if (deleted > 0 && deleted < deletes) figures.killsInPrunes++;
        }
      }
      await run.exited;
      current = pick(random() < 0.5);
      await completes(current, `the apply after life ${life}`);
    }

    const operations = readFileSync(join(dir, 'operations.log'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { op: string; name: string; existed: boolean });
    const duplicates = operations.filter((o) => o.op === 'create' && o.existed);
    figures.duplicates = duplicates.length;
    console.log(`kill -9 of setpoint apply, seed ${SEED}: ${JSON.stringify(figures)}`);
    expect(duplicates, `seed ${SEED}: creates of files that already existed`).toEqual([]);
    expect(figures.kills).toBe(KILLS);
    expect(figures.killsInPrunes, `seed ${SEED}: kills inside prunes`).toBeGreaterThan(0);
    expect(statSync(join(dir, '.setpoint')).isDirectory()).toBe(true);
  }, 600_000);
});

describe('a state a kill left with an intent in the older format', () => {
  it('status says what the next start does, and the next apply starts and settles it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'setpoint-old-intent-'));
    try {
      writeFileSync(
        join(dir, 'setpoint.yaml'),
        'resources: [desired.yaml]\nstate: .setpoint\nproviders:\n  files: { use: file, options: { root: ./world } }\ndefaults: { prune: true }\nserver: { listen: "127.0.0.1:1" }\n',
      );
      writeFileSync(join(dir, 'desired.yaml'), 'kind: files\nname: a\nspec: { path: a.txt, content: a }\n');
      const store = createFileStore({ dir: join(dir, '.setpoint'), clock: new TestClock({ start: 1 }) });
      await store.open();
      await store.intend({ key: 'files/x', op: 'delete' }); // no spec, and its entry already forgotten
      await store.close();

      const run = async (args: string[]) => {
        const child = spawn(process.execPath, [cli.bin, ...args], {
          cwd: dir,
          env: { ...process.env, NO_COLOR: '1' },
        });
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        child.stderr.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
        return { code, text };
      };
      const before = await run(['status']);
      expect(before.text).toContain('1 intent pending (the next start looks at the world and resolves each');
      const applied = await run(['apply']);
      expect(applied.code, applied.text).toBe(0);
      expect((await run(['status'])).text).toContain('1 managed; 0 intents pending.');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
