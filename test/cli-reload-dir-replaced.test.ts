import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from './helpers/built-cli.js';
import { freePort, until } from './helpers/poll.js';

// `setpoint run` as a subprocess: its resources directory is deleted and made again (as
// `rm -rf resources && mkdir resources`, or a deploy tool replacing it, does). The watcher must
// not go deaf: the replacement is logged, and later edits are read and applied.
const BIN = builtCli().bin; // compiled once for the run: each process starts faster
const MOTD = (content: string) =>
  `kind: files\nname: motd\nspec: { path: motd.txt, content: ${JSON.stringify(content)} }\n`;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function lastReload(base: string): Promise<{ ok: boolean; at: number }> {
  const body = (await (await fetch(`${base}/status`)).json()) as { lastReload: { ok: boolean; at: number } };
  return body.lastReload;
}

describe('setpoint run, when its resources directory is replaced', () => {
  it('watches the new directory, logs it, and applies later edits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'setpoint-rewatch-'));
    dirs.push(dir);
    const port = await freePort();
    mkdirSync(join(dir, 'resources'));
    writeFileSync(
      join(dir, 'setpoint.yaml'),
      `resources: ["resources/*.yaml"]\nproviders:\n  files: { use: file, options: { root: ./out } }\nserver: { listen: "127.0.0.1:${port}" }\n`,
    );
    writeFileSync(join(dir, 'resources', 'motd.yaml'), MOTD('one\n'));
    const read = () => {
      try {
        return readFileSync(join(dir, 'out', 'motd.txt'), 'utf8');
      } catch {
        return '';
      }
    };
    const child = spawn(process.execPath, [BIN, 'run'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const base = `http://127.0.0.1:${port}`;
      await until('the first file is applied', () => read() === 'one\n');

      rmSync(join(dir, 'resources'), { recursive: true, force: true });
      mkdirSync(join(dir, 'resources'));
      writeFileSync(join(dir, 'resources', 'motd.yaml'), MOTD('two\n'));
      await until('an edit in the new directory is applied', () => read() === 'two\n');
      await until('the replacement is logged', () => stderr.includes('was deleted'));
      expect((await lastReload(base)).ok).toBe(true);

      // And again: it keeps working after a second replacement.
      rmSync(join(dir, 'resources'), { recursive: true, force: true });
      mkdirSync(join(dir, 'resources'));
      writeFileSync(join(dir, 'resources', 'motd.yaml'), MOTD('three\n'));
      await until('an edit after a second replacement is applied', () => read() === 'three\n');
      writeFileSync(join(dir, 'resources', 'motd.yaml'), MOTD('four\n'));
      await until('a later edit is applied', () => read() === 'four\n');
      expect(stderr).toMatch(/resources was deleted or replaced: watching it again/);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
