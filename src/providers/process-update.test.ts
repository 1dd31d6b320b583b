import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, until } from '../../test/helpers/poll.js';
import { healthz, liveWith, processTestBed } from '../../test/helpers/process-fixture.js';
import type { Observed } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { processProvider } from './process.js';
import type { ProcessSpec } from './process-spec.js';

const bed = processTestBed('setpoint-process-update-');
const { ctx, spec } = bed;
const res = (s: ProcessSpec): Resource<ProcessSpec> => ({ kind: 'services', name: 'web', spec: s });
const status = (observed: Observed | undefined) =>
  observed?.status as { pid: number; port: number; state: string };

/** The ports of every process the record names: the current one and any an update started. */
async function recordedPorts(): Promise<number[]> {
  try {
    const record = JSON.parse(await readFile(join(bed.dir, 'web.json'), 'utf8'));
    return [record.port, ...record.others.map((o: { port: number }) => o.port)];
  } catch {
    return [];
  }
}

describe('process provider: update', () => {
  it('with port auto starts the new version beside the old: at every poll one of them answers healthy', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    const before = await services.create(res(spec('1')), ctx);
    const old = status(before);
    let done = false;
    const updating = services.update(res(spec('2')), before, [], ctx).finally(() => {
      done = true;
    });
    let polls = 0;
    const answers = new Set<string>();
    while (!done) {
      const ports = await recordedPorts();
      const replies = await Promise.all(ports.map(healthz));
      const healthy = replies.filter((r) => r.ok);
      expect(healthy.length, `no version answered on ${ports.join(', ')}`).toBeGreaterThan(0);
      for (const r of healthy) answers.add(r.body);
      polls++;
    }
    const after = await updating;
    expect(polls).toBeGreaterThan(3);
    expect(answers).toEqual(new Set(['1', '2'])); // it did overlap
    expect(after).toMatchObject({ version: '2', status: { state: 'installed' } });
    expect(status(after).port).not.toBe(old.port);
    expect(await liveWith(bed.fixture.marker)).toEqual([status(after).pid]);
    expect(await healthz(status(after).port)).toEqual({ ok: true, body: '2' });
    expect(await services.observe(res(spec('2')), ctx)).toEqual(after);
  });

  it('to a version that never gets healthy throws, stops it, and keeps the old one running and recorded', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    const before = await services.create(res(spec('1')), ctx);
    const sick = spec('2', { mode: 'sick', health: { http: { path: '/healthz' }, startPeriod: '700ms' } });
    await expect(services.update(res(sick), before, [], ctx)).rejects.toThrow(/version 2\).*not healthy/);
    expect(await liveWith(bed.fixture.marker)).toEqual([status(before).pid]);
    expect(await services.observe(res(sick), ctx)).toEqual(before);
    expect(JSON.parse(await readFile(join(bed.dir, 'web.json'), 'utf8')).others).toEqual([]);
    expect(await healthz(status(before).port)).toEqual({ ok: true, body: '1' });
  });

  it('with a fixed port stops the old one first, then starts the new one', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    const port = await freePort();
    const before = await services.create(res(spec('1', { port })), ctx);
    const after = await services.update(res(spec('2', { port })), before, [], ctx);
    expect(status(after)).toMatchObject({ port, state: 'installed' });
    expect(status(after).pid).not.toBe(status(before).pid);
    expect(await liveWith(bed.fixture.marker)).toEqual([status(after).pid]);
    expect(await healthz(port)).toEqual({ ok: true, body: '2' });
  });

  it('after one cut short, the next update finishes it: no process is left behind', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    const before = await services.create(res(spec('1')), ctx);
    const cut = new AbortController();
    const sick = spec('2', { mode: 'sick' });
    const updating = services.update(res(sick), before, [], { ...ctx, signal: cut.signal });
    await until('the new one is recorded', async () => (await recordedPorts()).length === 2);
    cut.abort(new Error('timed out'));
    await expect(updating).rejects.toThrow('timed out');
    expect((await liveWith(bed.fixture.marker)).length).toBe(2);

    // A restarted setpoint, whose spec has moved on to version 3.
    const again = processProvider({ dir: bed.dir, kind: 'services' });
    const after = await again.update(res(spec('3')), before, [], ctx);
    expect(await liveWith(bed.fixture.marker)).toEqual([status(after).pid]);
    expect(after).toMatchObject({ version: '3', status: { state: 'installed' } });
  });

  it('after one cut short, an update to the same spec goes on with the process it started', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    const before = await services.create(res(spec('1')), ctx);
    const sick = spec('2', { mode: 'sick', health: { http: { path: '/healthz' }, startPeriod: '1s' } });
    const cut = new AbortController();
    const updating = services.update(res(sick), before, [], { ...ctx, signal: cut.signal });
    await until('the new one is recorded', async () => (await recordedPorts()).length === 2);
    cut.abort(new Error('timed out'));
    await expect(updating).rejects.toThrow('timed out');
    const [, started] = await recordedPorts();

    await expect(services.update(res(sick), before, [], ctx)).rejects.toThrow(/not healthy/);
    const log = await readFile(join(bed.dir, 'web.log'), 'utf8');
    expect(log.match(/listening on/g)).toHaveLength(2); // version 1, and one copy of version 2
    expect(log).toContain(`listening on ${started}`);
    expect(await liveWith(bed.fixture.marker)).toEqual([status(before).pid]);
  });

  it('of a process that died starts the new one', async () => {
    const services = processProvider({ dir: bed.dir, kind: 'services' });
    const before = await services.create(res(spec('1')), ctx);
    process.kill(status(before).pid, 'SIGKILL');
    await until('it is gone', async () => (await liveWith(bed.fixture.marker)).length === 0);
    const after = await services.update(res(spec('2')), before, [], ctx);
    expect(await liveWith(bed.fixture.marker)).toEqual([status(after).pid]);
  });
});
