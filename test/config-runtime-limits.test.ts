import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeOptionsOf } from '../src/cli/runtime-options.js';
import { loadConfig } from '../src/config/load-config.js';
import { resolveOptions } from '../src/runtime/options.js';
import { createMemoryStore } from '../src/store/index.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';
import { startScripted, stopAfterEach, user } from './helpers/runtime-harness.js';

// What `setpoint validate` accepts, the runtime must run: each setting at its minimum loads and
// the runtime takes it; just below, the config is refused with a hint (never a TypeError later).
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function load(defaults: string, policy = '') {
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-limits-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'resources'));
  writeFileSync(
    join(dir, 'setpoint.yaml'),
    `resources: ["resources/*.yaml"]\nproviders:\n  users: { use: memory }\ndefaults: ${defaults}\n`,
  );
  writeFileSync(join(dir, 'resources', 'a.yaml'), `kind: users\nname: a\nspec: {}\n${policy}`);
  return loadConfig(join(dir, 'setpoint.yaml'), { env: {} });
}

const AT_MINIMUM: [string, string, string][] = [
  ['interval', '{ interval: 100ms }', '{ interval: 99ms }'],
  ['timeout', '{ timeout: 1ms }', '{ timeout: 0 }'],
  ['maxRetries', '{ maxRetries: 0 }', '{ maxRetries: -1 }'],
  ['progressDeadline', '{ progressDeadline: 1ms }', '{ progressDeadline: 0s }'],
  ['hotLoop.window', '{ hotLoop: { window: 1ms } }', '{ hotLoop: { window: 0 } }'],
  ['hotLoop.maxApplies', '{ hotLoop: { maxApplies: 1 } }', '{ hotLoop: { maxApplies: 0 } }'],
  ['concurrency', '{ concurrency: 1 }', '{ concurrency: 0 }'],
  ['shutdownTimeout', '{ shutdownTimeout: 0 }', '{ shutdownTimeout: -1 }'],
];

describe('the config and the runtime share one set of limits', () => {
  it.each(AT_MINIMUM)('%s: the minimum runs, below it is refused with a hint', async (_, ok, bad) => {
    const loaded = await load(ok);
    expect(loaded.ok, JSON.stringify(loaded)).toBe(true);
    if (!loaded.ok) return;
    const clock = new TestClock();
    const services = { providers: [], clock, random: seededRandom(1), store: createMemoryStore({ clock }) };
    expect(() => resolveOptions(runtimeOptionsOf(loaded.config, services))).not.toThrow();
    const refused = await load(bad);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.errors[0]).toMatchObject({ file: expect.stringMatching(/setpoint\.yaml$/), line: 4 });
    expect(refused.errors[0]?.hint).not.toBe('');
  });

  it('refuses a policy interval below the minimum, where the runtime would spin', async () => {
    const refused = await load('{}', 'policy: { interval: 0 }\n');
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.errors).toMatchObject([{ code: 'invalid-value', line: 4 }]);
    expect((await load('{}', 'policy: { interval: 100ms, maxRetries: 0 }\n')).ok).toBe(true);
  });
});

const track = stopAfterEach();

describe('maxRetries: 0', () => {
  it('is Degraded on the first failure', async () => {
    const { clock, sys, rt } = await startScripted(track, {
      maxRetries: 0,
      backoff: { baseMs: 100, capMs: 1000, jitter: 'none' },
    });
    const degraded: unknown[] = [];
    rt.on('degraded', (e) => degraded.push(e));
    await rt.start();
    sys.failNext('create', 100);
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    expect(rt.status('user/alice')).toMatchObject({ phase: 'degraded', attempts: 1 });
    expect(degraded).toHaveLength(1);
    sys.clearFailures();
    await clock.advance(1000);
    expect(rt.status('user/alice')?.phase).toBe('synced');
  });
});
