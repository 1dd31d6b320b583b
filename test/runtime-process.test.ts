import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, processProvider, type Runtime, systemClock, systemRandom } from '../src/index.js';
import type { ProcessSpec } from '../src/providers/process-spec.js';
import { until } from './helpers/poll.js';
import {
  type Fixture,
  fixtureSpec,
  healthz,
  killAllWith,
  liveWith,
  processesWith,
  writeFixture,
} from './helpers/process-fixture.js';

/**
 * The `process` provider under the runtime, on real time: a service is started and becomes
 * Ready, is brought back after it is killed from outside, moves to a new version, and is
 * stopped when it leaves the desired set.
 */
let base: string;
let fixture: Fixture;
let rt: Runtime | undefined;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'setpoint-runtime-process-'));
  fixture = await writeFixture(base);
});
afterEach(async () => {
  await rt?.stop();
  rt = undefined;
  await killAllWith(fixture.marker);
});
afterAll(async () => {
  await until(
    'no fixture is left, not even a zombie',
    async () => (await processesWith(fixture.marker)).length === 0,
  );
  await rm(base, { recursive: true, force: true });
});

describe('process resources under the runtime', () => {
  it('run, come back after a kill, move to a new version, and stop when removed', async () => {
    const dir = join(base, 'run');
    const services = processProvider({ dir, kind: 'services' });
    rt = createRuntime({
      providers: [services],
      clock: systemClock,
      random: systemRandom,
      interval: 200,
      backoff: { baseMs: 100, capMs: 500 },
      allowEmpty: true,
    });
    const web = (spec: ProcessSpec) => ({ kind: 'services', name: 'web', spec });
    const spec = (version: string) => fixtureSpec(fixture, join(base, 'signals.txt'), version);
    const ready = () =>
      rt?.status('services/web')?.conditions.find((c) => c.type === 'Ready')?.status === true;
    const record = async () => JSON.parse(await readFile(join(dir, 'web.json'), 'utf8'));
    await rt.start();

    rt.setDesired([web(spec('1'))]);
    await until('web is Ready', ready);
    const first = await record();
    expect(await liveWith(fixture.marker)).toEqual([first.pid]);
    expect(await healthz(first.port)).toEqual({ ok: true, body: '1' });

    process.kill(first.pid, 'SIGKILL');
    await until('web runs again', async () => (await record()).pid !== first.pid && ready());
    const second = await record();
    expect(await liveWith(fixture.marker)).toEqual([second.pid]);

    rt.setDesired([web(spec('2'))]);
    await until('version 2 is Ready', async () => (await record()).spec.version === '2' && ready());
    const third = await record();
    expect(await healthz(third.port)).toEqual({ ok: true, body: '2' });
    await until(
      'only version 2 runs',
      async () => (await liveWith(fixture.marker)).join() === `${third.pid}`,
    );

    expect(rt.setDesired([])).toMatchObject({ ok: true });
    await until('web is stopped', async () => (await liveWith(fixture.marker)).length === 0);
    await until('its record is gone', async () => (await services.list(ctx)).size === 0);
    // SIGTERM for version 1 when version 2 was up, then for version 2 when it was removed.
    expect(await readFile(join(base, 'signals.txt'), 'utf8')).toBe(`term ${second.pid}\nterm ${third.pid}\n`);
  });
});

const ctx = { signal: new AbortController().signal, log: pino({ level: 'silent' }), clock: systemClock };
