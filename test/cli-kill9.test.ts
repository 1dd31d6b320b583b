import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../src/time/random.js';
import { builtCli } from './helpers/built-cli.js';

// `setpoint run` is killed with SIGKILL at random points while a slow provider is creating,
// updating and deleting, then started again, over and over, with the desired set changing
// between lives. After the last start everything must converge: the world holds exactly the
// desired set, the inventory agrees, and no create ever found its object already there.
const BIN = builtCli().bin; // compiled once for the run: each process starts faster
const SEED = Number(process.env.SETPOINT_KILL9_SEED ?? 9_2024);
const KILLS = 22;
const NAMES = Array.from({ length: 10 }, (_, i) => `item-${i}`);

/** Files in a directory, slowly; every create and delete is logged, with whether it was there. */
const SLOW_PROVIDER = `
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export function createProvider(options, env) {
  const root = resolve(env.configDir, options.root);
  const log = resolve(env.configDir, options.log);
  mkdirSync(root, { recursive: true });
  const pause = (signal) =>
    new Promise((done, fail) => {
      const timer = setTimeout(done, options.minMs + Math.floor(Math.random() * (options.maxMs - options.minMs)));
      signal.addEventListener('abort', () => { clearTimeout(timer); fail(signal.reason); }, { once: true });
    });
  const path = (name) => join(root, name + '.txt');
  const write = (name, content) => {
    const temporary = path(name) + '.' + process.pid + '.tmp';
    writeFileSync(temporary, content);
    renameSync(temporary, path(name));
  };
  const record = (op, name) =>
    appendFileSync(log, JSON.stringify({ op, name, existed: existsSync(path(name)), pid: process.pid }) + '\\n');
  return {
    kind: env.kind,
    async observe(ref, ctx) {
      await pause(ctx.signal);
      return existsSync(path(ref.name)) ? { content: readFileSync(path(ref.name), 'utf8') } : undefined;
    },
    async create(desired, ctx) {
      await pause(ctx.signal);
      record('create', desired.name);
      write(desired.name, desired.spec.content);
    },
    async update(desired, current, changes, ctx) {
      await pause(ctx.signal);
      write(desired.name, desired.spec.content);
    },
    async delete(current, ref, ctx) {
      await pause(ctx.signal);
      record('delete', ref.name);
      rmSync(path(ref.name), { force: true });
    },
  };
}
`;

const CONFIG = `resources: [desired.yaml]
state: .setpoint
providers:
  items: { module: ./slow-provider.mjs, options: { root: ./world, log: ./operations.log, minMs: 10, maxMs: 60 } }
defaults:
  interval: 300ms
  backoff: { base: 20ms, cap: 200ms }
  concurrency: 4
  prune: true
  shutdownTimeout: 2s
server: { listen: "127.0.0.1:0" }
`;

type Desired = Map<string, string>;

function writeDesired(dir: string, desired: Desired): void {
  const docs = [...desired].map(
    ([name, content]) => `kind: items\nname: ${name}\nspec: { content: ${JSON.stringify(content)} }\n`,
  );
  writeFileSync(join(dir, 'desired.yaml'), docs.join('---\n'));
}

function world(dir: string): Desired {
  const found = new Map<string, string>();
  let names: string[] = [];
  try {
    names = readdirSync(join(dir, 'world'));
  } catch {
    return found;
  }
  for (const name of names) {
    if (!name.endsWith('.txt')) continue; // a temporary file a kill left behind is no resource
    found.set(name.slice(0, -4), readFileSync(join(dir, 'world', name), 'utf8'));
  }
  return found;
}

function start(dir: string) {
  const child = spawn(process.execPath, [BIN, 'run'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  const out = { stderr: '' };
  child.stderr.on('data', (chunk: Buffer) => {
    out.stderr += chunk.toString();
  });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out, exited };
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`seed ${SEED}: timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('setpoint run under SIGKILL', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'setpoint-kill9-'));
    writeFileSync(join(dir, 'slow-provider.mjs'), SLOW_PROVIDER);
    writeFileSync(join(dir, 'setpoint.yaml'), CONFIG);
  });
  afterAll(() => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it(`converges with no duplicate and no leak after ${KILLS} kills at random points`, async () => {
    const random = seededRandom(SEED);
    const pick = (): Desired => {
      const desired: Desired = new Map();
      for (const name of NAMES)
        if (random() < 0.6) desired.set(name, random() < 0.5 ? `${name} v1` : `${name} v2`);
      if (desired.size === 0) desired.set('item-0', 'item-0 v1');
      return desired;
    };

    for (let life = 0; life < KILLS; life++) {
      writeDesired(dir, pick());
      const run = start(dir);
      children.push(run.child);
      await until(
        'the run has taken its desired set',
        () => run.out.stderr.includes('desired state accepted'),
        15_000,
      );
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 400)));
      run.child.kill('SIGKILL');
      expect(await run.exited, `seed ${SEED}, life ${life}`).toBe(null);
    }

    const final = pick();
    writeDesired(dir, final);
    const last = start(dir);
    children.push(last.child);
    const sameAsDesired = () => {
      const now = world(dir);
      return now.size === final.size && [...final].every(([name, content]) => now.get(name) === content);
    };
    await until('the world is exactly the desired set', sameAsDesired, 30_000);
    last.child.kill('SIGTERM');
    expect(await last.exited, last.out.stderr.slice(-2000)).toBe(0);
    expect(world(dir)).toEqual(final);

    const operations = readFileSync(join(dir, 'operations.log'), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { op: string; name: string; existed: boolean; pid: number });
    expect(
      new Set(operations.map((o) => o.pid)).size,
      `seed ${SEED}: kills landed among operations`,
    ).toBeGreaterThan(5);
    expect(operations.filter((o) => o.op === 'delete').length, `seed ${SEED}`).toBeGreaterThan(0);
    const duplicates = operations.filter((o) => o.op === 'create' && o.existed);
    expect(duplicates, `seed ${SEED}: creates of objects that already existed`).toEqual([]);

    // The inventory agrees with the world: nothing leaked, nothing forgotten.
    const status = spawn(process.execPath, [BIN, 'status', '--json'], { cwd: dir });
    children.push(status);
    let text = '';
    status.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    await new Promise((resolve) => status.on('close', resolve));
    const view = JSON.parse(text) as { source: string; entries: { key: string }[]; pending: unknown[] };
    expect(view.source).toBe('state');
    expect(view.entries.map((e) => e.key)).toEqual([...final.keys()].sort().map((name) => `items/${name}`));
    expect(view.pending).toEqual([]);
  });
});
