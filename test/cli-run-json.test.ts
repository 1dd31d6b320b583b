import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo, StopSignal } from '../src/cli/cli-io.js';
import { runCli } from '../src/cli/main.js';
import { capturedIo } from './helpers/captured-io.js';
import { tempProjects } from './helpers/temp-project.js';

/**
 * `setpoint run --json`: every line it writes to stderr is one JSON object, on a terminal too
 * (where it would otherwise write coloured one-liners), whether it runs, cannot start, or is
 * given bad input.
 */
const files = tempProjects('setpoint-run-json-');
const CONFIG =
  'resources: ["resources/*.yaml"]\nproviders:\n  files: { use: file, options: { root: ./out } }\n' +
  'server: { listen: "127.0.0.1:0" }\n';
const project = (extra: Record<string, string> = {}) =>
  files({
    'setpoint.yaml': CONFIG,
    'resources/a.yaml': 'kind: files\nname: a.txt\nspec: { path: a.txt, content: "a\\n" }\n',
    ...extra,
  });

/** `run` in-process on a pretend terminal; `stop()` sends it SIGTERM. */
function terminalIo(dir: string) {
  const { io: base, out } = capturedIo(dir, { env: { FORCE_COLOR: '1' } });
  let handler: ((signal: StopSignal) => void) | undefined;
  const io: CliIo = {
    ...base,
    stderr: { ...base.stderr, isTTY: true },
    stdout: { ...base.stdout, isTTY: true },
    onSignal: (fn) => {
      handler = fn;
      return () => {
        handler = undefined;
      };
    },
  };
  return { io, out, stop: () => handler?.('SIGTERM') };
}

/** Each non-empty line of stderr, parsed; fails the test on a line that is not a JSON object. */
function jsonLines(stderr: string): Record<string, unknown>[] {
  expect(stderr).not.toContain('\u001b');
  const lines = stderr.split('\n').filter((line) => line !== '');
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((line) => {
    expect(line.startsWith('{'), line).toBe(true);
    return JSON.parse(line) as Record<string, unknown>;
  });
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting until ${what}`);
}

describe('run --json', () => {
  it('writes only JSON lines to stderr on a terminal, from start to stop', async () => {
    const dir = project();
    const { io, out, stop } = terminalIo(dir);
    const done = runCli(['run', '--json'], io);
    await until('it runs', () => out.stderr.includes('status on http'));
    stop();
    expect(await done).toBe(0);
    const lines = jsonLines(out.stderr);
    expect(
      lines.some((l) =>
        /^running: 1 resource, dashboard on http:\/\/.*\/, status on http:\/\/.*\/status, desired-state API on http:\/\/.*\/api\/v1$/.test(
          String(l.msg),
        ),
      ),
    ).toBe(true);
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped', code: 0 });
    expect(out.stdout).toBe('');
  });

  it('writes one-liners on a terminal without --json', async () => {
    const dir = project();
    const { io, out, stop } = terminalIo(dir);
    const done = runCli(['run'], io);
    await until('it runs', () => out.stderr.includes('status on http'));
    stop();
    expect(await done).toBe(0);
    expect(out.stderr).toMatch(/^\d\d:\d\d:\d\d\.\d{3} /m);
    expect(out.stderr.split('\n')[0]?.startsWith('{')).toBe(false);
  });

  it('reports bad input as JSON lines, each problem with its place', async () => {
    const dir = project({ 'resources/b.yaml': 'kind: files\nname: b.txt\nspec: { path: b.txt\n' });
    const { io, out } = terminalIo(dir);
    expect(await runCli(['run', '--json'], io)).toBe(1);
    const lines = jsonLines(out.stderr);
    expect(lines[0]).toMatchObject({ level: 50, file: join('resources', 'b.yaml'), code: 'yaml-syntax' });
    expect(lines.at(-1)).toMatchObject({ level: 60, msg: '1 problem found; nothing was changed' });
  });

  it('reports a state another process holds as a JSON line', async () => {
    const dir = project();
    const lock = JSON.stringify({ pid: process.ppid, hostname: hostname(), startedAt: 0 });
    mkdirSync(join(dir, '.setpoint'));
    writeFileSync(join(dir, '.setpoint', 'lock'), lock);
    const { io, out } = terminalIo(dir);
    expect(await runCli(['run', '--json'], io)).toBe(1);
    const lines = jsonLines(out.stderr);
    expect(lines.at(-1)).toMatchObject({ level: 60 });
    expect(String(lines.at(-1)?.msg)).toContain(`is locked by pid ${process.ppid}`);
  });
});
