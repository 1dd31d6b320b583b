import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../../test/helpers/poll.js';
import { healthz, liveWith, processTestBed } from '../../test/helpers/process-fixture.js';
import type { Observed } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { processProvider } from './process.js';
import type { ProcessSpec } from './process-spec.js';

const bed = processTestBed('setpoint-process-');
const { ctx, spec } = bed;
const res = (s: ProcessSpec, name = 'web'): Resource<ProcessSpec> => ({ kind: 'services', name, spec: s });
const status = (observed: Observed | undefined) => observed?.status as Record<string, unknown>;
const signals = () => readFile(join(bed.base, 'signals.txt'), 'utf8').catch(() => '');

describe('process provider', () => {
  it('creates a process that is installed and healthy, recorded, and observed with its status', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    expect(await services.observe(res(spec('1')), ctx)).toBeUndefined();
    const created = await services.create(res(spec('1')), ctx);
    const observed = await services.observe(res(spec('1')), ctx);
    expect(observed).toEqual(created);
    expect(observed).toMatchObject({ ...spec('1'), status: { state: 'installed', healthy: true } });
    const { pid, port } = status(observed) as { pid: number; port: number };
    expect(await liveWith(bed.fixture.marker)).toEqual([pid]);
    expect(await healthz(port)).toEqual({ ok: true, body: '1' });
    expect(services.health!(observed!, res(spec('1')))).toBe('healthy');
    const record = JSON.parse(await readFile(join(bed.dir, 'web.json'), 'utf8'));
    expect(record).toMatchObject({ name: 'web', pid, port, spec: spec('1'), others: [] });
    expect(record.startTime).toMatch(/^\d+$/);
    expect(await readFile(join(bed.dir, 'web.log'), 'utf8')).toContain(`listening on ${port}`);
    expect([...(await services.list(ctx)).keys()]).toEqual(['web']);
  });

  it('is adopted by a new provider on the same directory: the same pid, never a second copy', async () => {
    const first = processProvider({ dir: bed.dir, kind: 'services' });
    await first.create(res(spec('1')), ctx);
    const pid = status(await first.observe(res(spec('1')), ctx)).pid;

    const second = processProvider({ dir: bed.dir, kind: 'services' });
    const adopted = await second.observe(res(spec('1')), ctx);
    expect(status(adopted)).toMatchObject({ pid, state: 'installed' });
    await second.create(res(spec('1')), ctx); // a create cut short before, say: adopts
    expect(await liveWith(bed.fixture.marker)).toEqual([pid]);
    expect(status(await second.observe(res(spec('1')), ctx)).pid).toBe(pid);
  });

  it('reports a process killed from outside as failed and unhealthy; restart brings it back', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    await services.create(res(spec('1')), ctx);
    const { pid } = status(await services.observe(res(spec('1')), ctx)) as { pid: number };
    process.kill(pid, 'SIGKILL');
    await until('the process is gone', async () => (await liveWith(bed.fixture.marker)).length === 0);
    const failed = await services.observe(res(spec('1')), ctx);
    expect(status(failed)).toMatchObject({ state: 'failed', healthy: false, pid });
    // Killed by a signal: no exit code, whether or not this provider saw the exit yet.
    expect(status(failed)?.exitCode ?? null).toBeNull();
    expect(services.health!(failed!, res(spec('1')))).toBe('unhealthy');

    await services.restart!(failed!, res(spec('1')), ctx);
    const back = await services.observe(res(spec('1')), ctx);
    expect(status(back)).toMatchObject({ state: 'installed', healthy: true });
    expect(status(back).pid).not.toBe(pid);
    expect(await liveWith(bed.fixture.marker)).toEqual([status(back).pid]);
  });

  it('a start that exits at once, or never gets healthy, fails the create and leaves nothing', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    await expect(services.create(res(spec('1', { mode: 'exit' })), ctx)).rejects.toThrow(
      /exited with code 3 before it was healthy; the end of its log: told to exit$/,
    );
    expect(await services.observe(res(spec('1')), ctx)).toBeUndefined();
    const sick = spec('1', { mode: 'sick', health: { http: { path: '/healthz' }, startPeriod: '500ms' } });
    await expect(services.create(res(sick), ctx)).rejects.toThrow(
      /not healthy within its startPeriod of 500 ms/,
    );
    expect(await services.observe(res(sick), ctx)).toBeUndefined();
    expect(await liveWith(bed.fixture.marker)).toEqual([]);
  });

  it('a command that is not there, or a cwd that is not, fails the create and records nothing', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    await expect(services.create(res(spec('1', { command: 'no-such-command-here' })), ctx)).rejects.toThrow(
      /cannot start `no-such-command-here`: spawn no-such-command-here ENOENT/,
    );
    await expect(services.create(res(spec('1', { cwd: 'nowhere' })), ctx)).rejects.toThrow(
      /the working directory .*nowhere does not exist/,
    );
    expect(await services.list(ctx)).toEqual(new Map());
  });

  it('reports a fresh start as installing, and failed once its start period is over unhealthy', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    const sick = spec('1', { mode: 'sick', health: { http: { path: '/healthz' }, startPeriod: '2s' } });
    const aborted = new AbortController();
    const creating = services.create(res(sick), { ...ctx, signal: aborted.signal });
    await until('it is recorded', async () => (await services.observe(res(sick), ctx)) !== undefined);
    const installing = await services.observe(res(sick), ctx);
    expect(status(installing).state).toBe('installing');
    expect(services.health!(installing!, res(sick))).toBe('progressing');
    aborted.abort(new Error('shut down'));
    await expect(creating).rejects.toThrow('shut down');
    // An abort leaves it running and recorded: the next pass finds it.
    await until(
      'its start period is over',
      async () => status(await services.observe(res(sick), ctx)).state === 'failed',
    );
    expect((await liveWith(bed.fixture.marker)).length).toBe(1);
  });

  it('delete: SIGTERM to the group is honoured, and the record goes', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    const observed = await services.create(res(spec('1')), ctx);
    const { pid } = status(observed) as { pid: number };
    await services.delete(observed as Observed, res(spec('1')), ctx);
    expect(await signals()).toBe(`term ${pid}\n`);
    expect(await liveWith(bed.fixture.marker)).toEqual([]);
    expect(await services.observe(res(spec('1')), ctx)).toBeUndefined();
    await services.delete(observed as Observed, res(spec('1')), ctx); // idempotent
  });

  it('delete: a process that ignores SIGTERM is killed once stopGrace is over', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    const deaf = spec('1', { mode: 'deaf', stopGrace: '300ms' });
    const observed = await services.create(res(deaf), ctx);
    const { pid } = status(observed) as { pid: number };
    const started = Date.now();
    await services.delete(observed as Observed, res(deaf), ctx);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await signals()).toBe(`term ${pid}\n`);
    expect(await liveWith(bed.fixture.marker)).toEqual([]);
  });

  it('probes by TCP and by a command, and with no probe is healthy while alive', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    const tcp = spec('1', { health: { tcp: {} } });
    const exec = spec('1', {
      health: { exec: { command: process.execPath, args: ['-e', 'process.exit(0)'] } },
    });
    const failing = spec('1', { health: { exec: { command: 'false' }, startPeriod: '300ms' } });
    const none = spec('1', { health: undefined, port: undefined });
    for (const [name, s] of [
      ['tcp', tcp],
      ['exec', exec],
      ['none', none],
    ] as const) {
      await services.create(res(s, name), ctx);
      expect(status(await services.observe(res(s, name), ctx)), name).toMatchObject({ state: 'installed' });
    }
    await expect(services.create(res(failing, 'failing'), ctx)).rejects.toThrow(/not healthy/);
    expect([...(await services.list(ctx)).keys()].sort()).toEqual(['exec', 'none', 'tcp']);
  });

  it('keeps a name with a slash in a file of its own, and lists it by name', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    await services.create(res(spec('1'), 'team/web'), ctx);
    expect([...(await services.list(ctx)).keys()]).toEqual(['team/web']);
    expect(await readFile(join(bed.dir, 'team%2Fweb.json'), 'utf8')).toContain('"team/web"');
  });
});
