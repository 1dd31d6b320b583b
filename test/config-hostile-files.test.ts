import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createReloader } from '../src/cli/reloader.js';
import { loadConfig } from '../src/config/load-config.js';
import { memoryProvider } from '../src/providers/memory.js';
import { createRuntime } from '../src/runtime/index.js';
import { systemClock } from '../src/time/clock.js';
import { capturedIo } from './helpers/captured-io.js';
import { tempProjects } from './helpers/temp-project.js';

// Resource files that cannot be read, or are caught empty, must never be taken as "no
// resources": that would prune what they declared.

const files = tempProjects('setpoint-hostile-');
const project = () =>
  files({
    'setpoint.yaml': 'resources: ["resources/*.yaml"]\nproviders:\n  app: { use: memory }\n',
    'resources/a.yaml': 'kind: app\nname: a\nspec: {}\n',
  });

const codes = async (dir: string) => {
  const result = await loadConfig(join(dir, 'setpoint.yaml'), { env: {} });
  return result.ok ? [] : result.errors.map((e) => `${e.code} ${e.file.slice(dir.length + 1)}:${e.line}`);
};

describe('hostile resource files', () => {
  it('a dangling symbolic link is an error, not a skipped file', async () => {
    const dir = project();
    symlinkSync('gone.yaml', join(dir, 'resources', 'b.yaml'));
    expect(await codes(dir)).toEqual(['read-error resources/b.yaml:1']);
  });

  it('a looping symbolic link is an error', async () => {
    const dir = project();
    symlinkSync('b.yaml', join(dir, 'resources', 'b.yaml'));
    expect(await codes(dir)).toEqual(['read-error resources/b.yaml:1']);
  });

  it('a link named literally in resources: is read, so a dangling one is an error', async () => {
    const dir = project();
    writeFileSync(
      join(dir, 'setpoint.yaml'),
      'resources: ["link.yaml"]\nproviders:\n  app: { use: memory }\n',
    );
    symlinkSync('gone.yaml', join(dir, 'link.yaml'));
    expect(await codes(dir)).toEqual(['read-error link.yaml:1']);
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable regular file is an error', async () => {
    const dir = project();
    chmodSync(join(dir, 'resources', 'a.yaml'), 0o000);
    expect(await codes(dir)).toEqual(['read-error resources/a.yaml:1']);
  });

  it('an empty (0-byte) resource file is an error; one of only a comment is not', async () => {
    const dir = project();
    writeFileSync(join(dir, 'resources', 'b.yaml'), '');
    expect(await codes(dir)).toEqual(['empty-file resources/b.yaml:1']);
    writeFileSync(join(dir, 'resources', 'b.yaml'), '# nothing yet\n');
    expect(await codes(dir)).toEqual([]);
  });
});

describe('a reload under run that finds a resource file empty', () => {
  async function started(dir: string) {
    const { io } = capturedIo(dir, { clock: systemClock });
    const loaded = await loadConfig(join(dir, 'setpoint.yaml'), { env: {} });
    if (!loaded.ok) throw new Error('the project should load');
    const runtime = createRuntime({
      providers: [memoryProvider({ kind: 'app', clock: io.clock, random: io.random })],
      clock: io.clock,
      random: io.random,
    });
    runtime.setDesired(loaded.config.resources);
    const reloader = createReloader({
      runtime,
      io,
      log: pino({ level: 'silent' }),
      config: loaded.config,
      onSecrets: () => {},
      onAccepted: () => {},
    });
    return reloader;
  }

  it('waits for the save to finish and loads what it then holds', async () => {
    const dir = project();
    const reloader = await started(dir);
    const file = join(dir, 'resources', 'a.yaml');
    writeFileSync(file, '');
    reloader.reload([file]);
    setTimeout(
      () => writeFileSync(file, 'kind: app\nname: a\nspec: {}\n---\nkind: app\nname: b\nspec: {}\n'),
      150,
    );
    await reloader.idle();
    expect(reloader.last()).toMatchObject({ ok: true, added: 1, removed: 0 });
    expect(reloader.desiredKeys()).toEqual(['app/a', 'app/b']);
  });

  it('keeps the last good set when the file stays empty', async () => {
    const dir = project();
    const reloader = await started(dir);
    const file = join(dir, 'resources', 'a.yaml');
    writeFileSync(file, '');
    reloader.reload([file]);
    await reloader.idle();
    expect(reloader.last()).toMatchObject({ ok: false });
    expect(reloader.last().errors?.[0]).toMatch(/empty-file/);
    expect(reloader.desiredKeys()).toEqual(['app/a']);
  });
});
