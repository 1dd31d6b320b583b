import { describe, expect, it } from 'vitest';
import { createRuntime, defineProvider, type Health, type Provider, type Runtime } from '../src/index.js';
import { seededRandom, TestClock } from '../src/testing.js';
import { stopAfterEach } from './helpers/runtime-harness.js';

/**
 * Health, progress deadlines, contract breaches and hot loops, through the public API on a
 * virtual clock: the promises a provider with `health` and a world with other writers test.
 */
const track = stopAfterEach();
const HOUR = 3_600_000;

type Obj = Record<string, unknown>;

/** A small system of objects, each call counted, with health decided by the test. */
function system(kind: string, clock: TestClock, health?: (o: Obj, name: string) => Health | string) {
  const objects = new Map<string, Obj>();
  const calls = { create: [] as [string, number][], update: 0, restart: 0 };
  const base = {
    kind,
    async observe(r: { name: string }) {
      const o = objects.get(r.name);
      return o ? { ...o } : undefined;
    },
    async create(r: { name: string; spec: Obj }) {
      calls.create.push([r.name, clock.now()]);
      objects.set(r.name, { ...r.spec });
    },
    async update(r: { name: string; spec: Obj }) {
      calls.update++;
      objects.set(r.name, { ...r.spec });
    },
    async delete(_c: Obj, r: { name: string }) {
      objects.delete(r.name);
    },
  };
  const withHealth = health
    ? {
        health: (o: Obj, r: { name: string }) => health(o, r.name) as Health,
        async restart() {
          calls.restart++;
        },
      }
    : {};
  return {
    objects,
    calls,
    provider: (extra: Partial<Provider> = {}) => defineProvider({ ...base, ...withHealth, ...extra }),
  };
}

async function start(providers: Provider[], clock: TestClock, options: Record<string, unknown> = {}) {
  const rt: Runtime = createRuntime({ providers, clock, random: seededRandom(7), ...options });
  track(rt, clock);
  await rt.start();
  return rt;
}

const condition = (rt: Runtime, key: string, type: string) =>
  rt.status(key)?.conditions.find((c) => c.type === type);

describe('Ready means in sync and healthy', () => {
  it('creates a dependent only once its dependency is seen healthy, not when it was applied', async () => {
    const clock = new TestClock();
    const created = new Map<string, number>();
    const sys = system('svc', clock, (_o, name) => {
      const at = created.get(name) ?? 0;
      return name === 'db' && clock.now() - at < 40_000 ? 'progressing' : 'healthy';
    });
    const rt = await start([sys.provider()], clock);
    const synced: [string, number][] = [];
    rt.on('resource:synced', (e) => synced.push([e.key, e.at]));
    rt.on('action:applied', (e) => {
      if (e.action === 'create') created.set(e.name, e.at);
    });
    rt.setDesired([
      { kind: 'svc', name: 'db', spec: { v: 1 } },
      { kind: 'svc', name: 'app', spec: { v: 1 }, dependsOn: ['svc/db'] },
    ]);
    await clock.advance(30_000);
    expect(sys.calls.create.map(([name]) => name)).toEqual(['db']);
    expect(rt.status('svc/db')).toMatchObject({ phase: 'progressing' });
    expect(condition(rt, 'svc/db', 'Ready')).toMatchObject({ status: false, reason: 'Progressing' });
    expect(rt.status('svc/app')?.phase).toBe('waiting');
    await clock.advance(90_000);
    const app = sys.calls.create.find(([name]) => name === 'app');
    expect(app?.[1]).toBeGreaterThanOrEqual(40_000);
    const dbSynced = synced.find(([key]) => key === 'svc/db')?.[1];
    expect(dbSynced).toBeGreaterThanOrEqual(40_000);
    expect(app?.[1]).toBeGreaterThanOrEqual(dbSynced!);
    expect(condition(rt, 'svc/app', 'Ready')?.status).toBe(true);
  });
});

describe('a change that never becomes healthy', () => {
  it('is restarted maxRetries - 1 times, then Degraded and rolled back, and then left alone', async () => {
    const clock = new TestClock();
    const sys = system('deploy', clock, (o) => (o.version === 'v2' ? 'unhealthy' : 'healthy'));
    const rt = await start([sys.provider()], clock, { maxRetries: 3, rollback: true });
    const unhealthy: unknown[] = [];
    rt.on('resource:unhealthy', (e) =>
      unhealthy.push({ reason: e.reason, attempt: e.attempt, restart: e.restart }),
    );
    const degraded: unknown[] = [];
    rt.on('degraded', (e) => degraded.push({ rollback: e.rollback }));
    rt.setDesired([{ kind: 'deploy', name: 'web', spec: { version: 'v1' } }]);
    await clock.advance(60_000);
    rt.setDesired([{ kind: 'deploy', name: 'web', spec: { version: 'v2' } }]);
    await clock.advance(HOUR);
    expect(sys.calls.restart).toBe(2);
    expect(unhealthy).toEqual([
      { reason: 'unhealthy', attempt: 1, restart: true },
      { reason: 'unhealthy', attempt: 2, restart: true },
      { reason: 'unhealthy', attempt: 3, restart: false },
    ]);
    expect(degraded).toEqual([{ rollback: true }]);
    expect(sys.objects.get('web')).toEqual({ version: 'v1' });
    expect(rt.status('deploy/web')).toMatchObject({ phase: 'synced', rolledBack: true });
    expect(condition(rt, 'deploy/web', 'Degraded')).toMatchObject({ status: true, reason: 'RolledBack' });
  });

  it('without rollback, stays Degraded (Unhealthy) and stops restarting', async () => {
    const clock = new TestClock();
    const sys = system('deploy', clock, (o) => (o.version === 'v2' ? 'unhealthy' : 'healthy'));
    const rt = await start([sys.provider()], clock, { maxRetries: 3 });
    rt.setDesired([{ kind: 'deploy', name: 'web', spec: { version: 'v2' } }]);
    await clock.advance(HOUR);
    expect(sys.calls.restart).toBe(2);
    expect(rt.status('deploy/web')?.phase).toBe('degraded');
    expect(condition(rt, 'deploy/web', 'Degraded')).toMatchObject({ status: true, reason: 'Unhealthy' });
    expect(condition(rt, 'deploy/web', 'Ready')).toMatchObject({ status: false, reason: 'Unhealthy' });
  });

  it('fails a change still progressing past its progress deadline, and rolls it back', async () => {
    const clock = new TestClock();
    const sys = system('deploy', clock, (o) => (o.version === 'v2' ? 'progressing' : 'healthy'));
    const rt = await start([sys.provider()], clock, { rollback: true });
    const degradedAt: number[] = [];
    rt.on('degraded', (e) => degradedAt.push(e.at));
    rt.setDesired([{ kind: 'deploy', name: 'web', spec: { version: 'v1' } }]);
    await clock.advance(60_000);
    rt.setDesired([{ kind: 'deploy', name: 'web', spec: { version: 'v2' } }]);
    await clock.advance(9 * 60_000);
    expect(condition(rt, 'deploy/web', 'Progressing')).toMatchObject({ status: true });
    expect(degradedAt).toEqual([]);
    await clock.advance(5 * 60_000);
    expect(degradedAt).toHaveLength(1);
    expect(degradedAt[0]! - 60_000).toBeGreaterThan(600_000); // the default deadline: 10 minutes
    expect(degradedAt[0]! - 60_000).toBeLessThan(600_000 + 120_000); // seen on a poll soon after
    expect(sys.objects.get('web')).toEqual({ version: 'v1' });
    expect(sys.calls.restart).toBe(0); // past the deadline is a failure, not a reason to restart
  });

  it('takes the deadline from the resource, then the kind, then the runtime', async () => {
    const clock = new TestClock();
    const sys = system('deploy', clock, () => 'progressing');
    const rt = await start([sys.provider()], clock, {
      progressDeadline: 3_600_000,
      kinds: { deploy: { progressDeadline: 120_000 } },
    });
    rt.setDesired([
      { kind: 'deploy', name: 'kind', spec: { v: 1 } },
      { kind: 'deploy', name: 'own', spec: { v: 1 }, policy: { progressDeadlineMs: 30_000 } },
    ]);
    await clock.advance(100_000);
    expect(condition(rt, 'deploy/own', 'Degraded')).toMatchObject({
      status: true,
      reason: 'ProgressDeadlineExceeded',
    });
    expect(rt.status('deploy/own')?.lastError).toMatch(/past its progress deadline of 30s/);
    expect(condition(rt, 'deploy/kind', 'Degraded')?.status).toBe(false);
    await clock.advance(200_000);
    expect(condition(rt, 'deploy/kind', 'Degraded')).toMatchObject({ reason: 'ProgressDeadlineExceeded' });
  });

  it('refuses a progress deadline that is not a positive number, naming the option', () => {
    const clock = new TestClock();
    const sys = system('deploy', clock);
    expect(() => createRuntime({ providers: [sys.provider()], clock, progressDeadline: -1 })).toThrow(
      /`progressDeadline` to be a number >= 1/,
    );
    expect(() =>
      createRuntime({ providers: [sys.provider()], clock, kinds: { deploy: { progressDeadline: 0 } } }),
    ).toThrow(/`kinds.deploy.progressDeadline`/);
  });
});

describe('contract breaches and providers that cannot restart', () => {
  it('crashes the actor when health returns something that is not a health', async () => {
    const clock = new TestClock();
    const sys = system('svc', clock, () => 'fine');
    const rt = await start([sys.provider()], clock);
    const crashed: string[] = [];
    rt.on('actor:crashed', (e) => crashed.push(e.error));
    const applied: string[] = [];
    rt.on('action:applied', (e) => applied.push(e.action));
    rt.setDesired([{ kind: 'svc', name: 'a', spec: { v: 1 } }]);
    await clock.advance(100);
    expect(crashed[0]).toMatch(/health returned a string, expected 'healthy', 'progressing' or 'unhealthy'/);
    expect(applied).not.toContain('restart');
  });

  it('reports an unhealthy object when the provider has no restart, and applies nothing', async () => {
    const clock = new TestClock();
    const sys = system('svc', clock, () => 'unhealthy');
    const rt = await start([sys.provider({ restart: undefined })], clock, { maxRetries: 3 });
    const applied: string[] = [];
    rt.on('action:applied', (e) => applied.push(e.action));
    const unhealthy: boolean[] = [];
    rt.on('resource:unhealthy', (e) => unhealthy.push(e.restart));
    sys.objects.set('a', { v: 1 }); // exists already, as desired
    rt.setDesired([{ kind: 'svc', name: 'a', spec: { v: 1 } }]);
    await clock.advance(HOUR);
    expect(applied).toEqual([]);
    expect(unhealthy.slice(0, 3)).toEqual([false, false, false]);
    expect(condition(rt, 'svc/a', 'Ready')).toMatchObject({ status: false, reason: 'Unhealthy' });
    expect(condition(rt, 'svc/a', 'Degraded')).toMatchObject({ status: true, reason: 'Unhealthy' });
    const text = await rt.metrics.registry.getSingleMetricAsString('setpoint_unhealthy_total');
    expect(text).toMatch(/setpoint_unhealthy_total\{kind="svc",reason="unhealthy"\} \d+/);
  });
});

describe('hot loops', () => {
  async function fight(options: Record<string, unknown> = {}) {
    const clock = new TestClock();
    const sys = system('cfg', clock);
    const rt = await start([sys.provider()], clock, { interval: 5_000, ...options });
    const loops: { fields: readonly string[]; applies: number }[] = [];
    rt.on('hotloop', (e) => loops.push({ fields: e.fields, applies: e.applies }));
    const ended: number[] = [];
    rt.on('hotloop:ended', (e) => ended.push(e.at));
    let drifts = 0;
    rt.on('drift', () => drifts++);
    rt.setDesired([{ kind: 'cfg', name: 'key', spec: { owner: 'setpoint', size: 1 } }]);
    await clock.advance(10_000);
    let fighting = true;
    const other = () => {
      if (!fighting) return;
      sys.objects.set('key', { ...sys.objects.get('key'), owner: 'other' });
      clock.setTimeout(other, 5_000);
    };
    clock.setTimeout(other, 2_500);
    return { clock, sys, rt, loops, ended, drifts: () => drifts, stop: () => (fighting = false) };
  }

  it('detects a fight with another writer, names the field, and throttles the applies', async () => {
    const f = await fight();
    const before = f.sys.calls.update;
    await f.clock.advance(HOUR);
    const applies = f.sys.calls.update - before;
    expect(f.loops).toEqual([{ fields: ['owner'], applies: 6 }]);
    expect(applies).toBeLessThan(100); // one per 5 s tick would be 720
    expect(condition(f.rt, 'cfg/key', 'Degraded')).toMatchObject({ status: true, reason: 'HotLoop' });
    expect(condition(f.rt, 'cfg/key', 'Degraded')?.message).toMatch(/owner/);
    const text = await f.rt.metrics.registry.getSingleMetricAsString('setpoint_hot_loops_total');
    expect(text).toMatch(/setpoint_hot_loops_total\{kind="cfg"\} 1/);
  });

  it('counts every drift episode it repaired, not just the first', async () => {
    const f = await fight({ hotLoop: { maxApplies: 1_000 } });
    const before = f.sys.calls.update;
    await f.clock.advance(60_000);
    expect(f.sys.calls.update - before).toBeGreaterThan(5);
    expect(f.drifts()).toBe(f.sys.calls.update - before);
    const text = await f.rt.metrics.registry.getSingleMetricAsString('setpoint_drift_total');
    expect(text).toContain(`setpoint_drift_total{kind="cfg"} ${f.drifts()}`);
  });

  it('ends once the resource stays in sync, and applies at the resync pace again', async () => {
    const f = await fight();
    await f.clock.advance(10 * 60_000);
    expect(f.loops).toHaveLength(1);
    f.stop();
    await f.clock.advance(5 * 60_000);
    expect(f.ended).toHaveLength(1);
    expect(condition(f.rt, 'cfg/key', 'Degraded')).toMatchObject({ status: false });
    expect(f.sys.objects.get('key')).toMatchObject({ owner: 'setpoint' });
  });

  it('ends a hot loop when the spec changes: the new generation starts afresh', async () => {
    const f = await fight();
    await f.clock.advance(5 * 60_000);
    expect(f.loops).toHaveLength(1);
    f.stop();
    f.rt.setDesired([{ kind: 'cfg', name: 'key', spec: { owner: 'setpoint', size: 2 } }]);
    await f.clock.advance(10_000);
    expect(f.ended).toHaveLength(1);
    expect(condition(f.rt, 'cfg/key', 'Degraded')).toMatchObject({ status: false });
  });

  it('does not call a spec change a loop: each generation starts its count afresh', async () => {
    const clock = new TestClock();
    const sys = system('cfg', clock);
    const rt = await start([sys.provider()], clock, { hotLoop: { maxApplies: 2 } });
    const loops: unknown[] = [];
    rt.on('hotloop', (e) => loops.push(e));
    for (let v = 1; v <= 10; v++) {
      rt.setDesired([{ kind: 'cfg', name: 'key', spec: { v } }]);
      await clock.advance(1_000);
    }
    expect(sys.calls.update).toBe(9);
    expect(loops).toEqual([]);
  });
});
