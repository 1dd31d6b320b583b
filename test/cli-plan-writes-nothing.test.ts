// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references, not a template
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { createFileStore } from '../src/store/index.js';
import { systemClock } from '../src/time/clock.js';
import { capturedIo } from './helpers/captured-io.js';
import { tempProjects } from './helpers/temp-project.js';

/**
 * `plan` and `apply --dry-run` look and change nothing: the state directory is left byte for
 * byte as they found it (no lock, no key, no compaction, not even the directory itself), and
 * a state another live process holds is still planned from, read-only, with a note.
 */
const files = tempProjects('setpoint-plan-ro-');
const CONFIG =
  'resources: ["resources/*.yaml"]\nproviders:\n  files: { use: file, options: { root: ./out } }\n' +
  'defaults: { prune: true }\nserver: { listen: "127.0.0.1:1" }\n';
const project = () =>
  files({
    'setpoint.yaml': CONFIG,
    'resources/a.yaml': 'kind: files\nname: a.txt\nspec: { path: a.txt, content: "token=${env:TOKEN}\\n" }\n',
    'resources/b.yaml': 'kind: files\nname: b.txt\nspec: { path: b.txt, content: "b\\n" }\n',
  });

async function setpoint(dir: string, ...argv: string[]) {
  const { io, out } = capturedIo(dir, { env: { NO_COLOR: '1', TOKEN: 'sekret-value-1' } });
  const code = await runCli(argv, io);
  return { code, ...out };
}

/**
 * The directory's own modification time (a lock made and removed changes it), then every entry:
 * name, size, content hash, modification time and mode.
 */
function snapshot(dir: string): string[] {
  const entries = readdirSync(dir)
    .sort()
    .map((name) => {
      const path = join(dir, name);
      const stat = statSync(path);
      const hash = createHash('sha256').update(readFileSync(path)).digest('hex');
      return `${name} ${stat.size} ${hash} ${stat.mtimeMs} ${(stat.mode & 0o777).toString(8)}`;
    });
  return [`. ${statSync(dir).mtimeMs}`, ...entries];
}

/**
 * A project after an apply, with a journal that is not empty (as a killed process leaves it,
 * and as a store's close would compact it), b.txt no longer desired and a.txt drifted.
 */
async function projectWithState(): Promise<string> {
  const dir = project();
  expect((await setpoint(dir, 'apply')).code).toBe(0);
  const state = join(dir, '.setpoint');
  const store = createFileStore({ dir: state, clock: systemClock });
  await store.open();
  await store.markGood('files/b.txt', { path: 'b.txt', content: 'b\n' });
  const journal = readFileSync(join(state, 'journal.log'));
  await store.close();
  writeFileSync(join(state, 'journal.log'), journal); // already in the snapshot: replay skips it
  expect(journal.length).toBeGreaterThan(0);
  rmSync(join(dir, 'resources/b.yaml'));
  writeFileSync(join(dir, 'out/a.txt'), 'drifted\n');
  return dir;
}

describe('plan and apply --dry-run write nothing to the state directory', () => {
  it('leaves an existing state directory byte for byte unchanged', async () => {
    const dir = await projectWithState();
    const state = join(dir, '.setpoint');
    expect(readdirSync(state)).toContain('state.key');
    const before = snapshot(state);

    const plan = await setpoint(dir, 'plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('~ files/a.txt');
    expect(plan.stdout).toContain('- files/b.txt');
    expect(plan.stdout).not.toContain('sekret-value-1');
    expect(snapshot(state)).toEqual(before);

    const json = await setpoint(dir, 'plan', '--json');
    expect(json.code).toBe(0);
    expect(snapshot(state)).toEqual(before);

    const dry = await setpoint(dir, 'apply', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Dry run: nothing was applied.');
    expect(snapshot(state)).toEqual(before);
    expect(readFileSync(join(dir, 'out/a.txt'), 'utf8')).toBe('drifted\n');
  });

  it('creates no state directory when there is none', async () => {
    const dir = project();
    expect((await setpoint(dir, 'plan')).code).toBe(0);
    expect((await setpoint(dir, 'apply', '--dry-run')).code).toBe(0);
    expect(existsSync(join(dir, '.setpoint'))).toBe(false);
  });

  it('refuses a state a live process holds, as apply does, and leaves its lock alone', async () => {
    const dir = await projectWithState();
    const state = join(dir, '.setpoint');
    // The parent of this test process is alive for as long as the test runs.
    const lock = JSON.stringify({ pid: process.ppid, hostname: hostname(), startedAt: 0 });
    writeFileSync(join(state, 'lock'), lock);
    const before = snapshot(state);
    for (const argv of [['plan'], ['apply', '--dry-run']]) {
      const refused = await setpoint(dir, ...argv);
      expect(refused.code, argv.join(' ')).toBe(1);
      expect(refused.stderr).toContain(`is locked by pid ${process.ppid}`);
      expect(refused.stdout).toBe('');
      expect(snapshot(state)).toEqual(before);
    }
    // The same words as an apply's refusal.
    const apply = await setpoint(dir, 'apply');
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(`is locked by pid ${process.ppid}`);
    // A lock whose process is gone is no reason to refuse a plan, and is left as it is too.
    const gone = JSON.stringify({ pid: 2 ** 22 + 7, hostname: hostname(), startedAt: 0 });
    writeFileSync(join(state, 'lock'), gone);
    const stale = snapshot(state);
    expect((await setpoint(dir, 'plan')).code).toBe(0);
    expect(snapshot(state)).toEqual(stale);
  });
});
