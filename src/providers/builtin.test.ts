import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineProvider, type ProviderContext } from '../contract/provider.js';
import { seededRandom } from '../time/random.js';
import { TestClock } from '../time/test-clock.js';
import { builtinProviders, type ProcessProvider } from './index.js';

let configDir: string;
const clock = new TestClock();
const env = (kind: string) => ({ clock, random: seededRandom(3), kind, configDir });
const ctx: ProviderContext = { signal: new AbortController().signal, log: pino({ level: 'silent' }), clock };

beforeEach(async () => {
  configDir = await mkdtemp(join(tmpdir(), 'setpoint-builtin-'));
});
afterEach(async () => {
  await rm(configDir, { recursive: true, force: true });
});

describe('builtinProviders', () => {
  it('offers exactly memory, file, http, process and node, and nothing from Object.prototype', () => {
    expect(Object.keys(builtinProviders).sort()).toEqual(['file', 'http', 'memory', 'node', 'process']);
    expect(builtinProviders.toString).toBeUndefined();
    expect(builtinProviders.constructor).toBeUndefined();
  });

  it('builds each provider for the kind it is given, and each one honours the provider contract', () => {
    const made = [
      builtinProviders.memory!({ faults: { failRate: 0.1 }, initial: { a: { v: 1 } } }, env('things')),
      builtinProviders.file!({ root: './out' }, env('files')),
      builtinProviders.http!({ baseUrl: 'http://127.0.0.1:8080/users', update: 'PATCH' }, env('users')),
      builtinProviders.process!({ dir: './run' }, env('services')),
    ];
    expect(made.map((p) => p.kind)).toEqual(['things', 'files', 'users', 'services']);
    for (const provider of made) expect(defineProvider(provider)).toBe(provider);
  });

  it('resolves a relative file root against the config directory', async () => {
    const files = builtinProviders.file!({ root: './out' }, env('files'));
    await files.create({ kind: 'files', name: 'motd', spec: { path: 'motd.txt', content: 'hi\n' } }, ctx);
    expect(await readFile(join(configDir, 'out', 'motd.txt'), 'utf8')).toBe('hi\n');
  });

  it('keeps process records in the state directory, else in the config directory; cwd is under the config directory', () => {
    const at = (options: Record<string, unknown>, stateDir?: string) => {
      const made = builtinProviders.process!(options, {
        ...env('services'),
        ...(stateDir ? { stateDir } : {}),
      });
      const { dir, root } = made as ProcessProvider;
      return { dir, root };
    };
    expect(at({}, '/var/lib/setpoint')).toEqual({ dir: '/var/lib/setpoint/processes', root: configDir });
    expect(at({})).toEqual({ dir: join(configDir, '.setpoint', 'processes'), root: configDir });
    expect(at({ dir: './run', root: 'apps' }, '/var/lib/setpoint')).toEqual({
      dir: join(configDir, 'run'),
      root: join(configDir, 'apps'),
    });
    expect(() => at({ dir: './run', stopGrace: '1s' })).toThrow(
      /The `process` provider for kind `services`: Unknown option `options.stopGrace`: the allowed options are `dir`, `root`/,
    );
  });

  it('rejects bad options with a TypeError naming the provider, the kind, the option, the value and the fix', () => {
    expect(() => builtinProviders.file!({}, env('files'))).toThrow(
      /The `file` provider for kind `files`: Expected `options.root` to be a non-empty string, like '.\/out'.*got `undefined`/,
    );
    expect(() => builtinProviders.file!({ root: './out', mode: '0644' }, env('files'))).toThrow(
      /Unknown option `options.mode`: the allowed options are `root`/,
    );
    expect(() => builtinProviders.http!({ baseUrl: 42 }, env('users'))).toThrow(
      /The `http` provider for kind `users`: Expected `options.baseUrl`.*got `42` \(number\)/,
    );
    expect(() => builtinProviders.http!({ baseUrl: 'http://x/y', kind: 'other' }, env('users'))).toThrow(
      /the kind is the key under `providers:`/,
    );
    expect(() => builtinProviders.memory!({ faults: { hangRate: -1 } }, env('things'))).toThrow(
      /The `memory` provider for kind `things`: Expected `options.faults.hangRate` to be a number from 0 to 1/,
    );
    expect(() => builtinProviders.memory!('nope' as never, env('things'))).toThrow(
      /`options` to be a mapping/,
    );
  });
});
