import { describe, expect, it } from 'vitest';
import type { Observed } from '../src/contract/provider.js';
import type { Resource } from '../src/contract/resource.js';
import { createRuntime, type Runtime, type RuntimeOptions } from '../src/runtime/index.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';
import { mapProvider, stopAfterEach } from './helpers/runtime-harness.js';

/**
 * One bad resource does not stop the world: a provider that answers a value its contract forbids
 * for one key crashes that key's actor, which is restarted on a backoff of its own (a crash
 * loop, Degraded with reason `CrashLoop`), while every other resource, of its kind and of
 * others, keeps reconciling. Only a systemic failure (most of a kind crashing) escalates.
 */
const track = stopAfterEach();

interface World {
  readonly objects: Map<string, Observed>;
  /** Names whose observe answers a string (a bug in the provider). */
  readonly broken: Set<string>;
  /** Calls in flight per name, and the most ever seen at once. */
  readonly inFlight: Map<string, number>;
  most: number;
}

function world(): World {
  return { objects: new Map(), broken: new Set(), inFlight: new Map(), most: 0 };
}

/** A provider over `w` whose observe takes 100 ms and answers garbage for broken names. */
function provider(kind: string, w: World, clock: TestClock) {
  const tracked =
    <A extends unknown[], R>(name: (...args: A) => string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const key = name(...args);
      const n = (w.inFlight.get(key) ?? 0) + 1;
      w.inFlight.set(key, n);
      w.most = Math.max(w.most, n);
      try {
        return await fn(...args);
      } finally {
        w.inFlight.set(key, (w.inFlight.get(key) ?? 1) - 1);
      }
    };
  return mapProvider(kind, w.objects, {
    observe: tracked(
      (ref) => `${kind}/${ref.name}`,
      async (ref) => {
        await new Promise<void>((resolve) => clock.setTimeout(resolve, 100));
        if (w.broken.has(ref.name)) return 'garbage' as unknown as Observed;
        return w.objects.get(`${kind}/${ref.name}`);
      },
    ),
    create: tracked(
      (d) => `${kind}/${d.name}`,
      async (d) => void w.objects.set(`${kind}/${d.name}`, { ...d.spec }),
    ),
    update: tracked(
      (d) => `${kind}/${d.name}`,
      async (d) => void w.objects.set(`${kind}/${d.name}`, { ...d.spec }),
    ),
    delete: tracked(
      (_c, ref) => `${kind}/${ref.name}`,
      async (_c, ref) => void w.objects.delete(`${kind}/${ref.name}`),
    ),
  });
}

const res = (kind: string, name: string): Resource => ({ kind, name, spec: { v: 1 } });

async function start(w: World, options: Partial<RuntimeOptions> = {}) {
  const clock = new TestClock();
  const rt = createRuntime({
    providers: [provider('app', w, clock), provider('db', w, clock)],
    clock,
    random: seededRandom(7),
    interval: 10_000,
    ...options,
  });
  track(rt, clock);
  const seen = {
    crashed: [] as number[],
    failed: 0,
    escalated: [] as string[],
    done: new Map<string, number>(),
  };
  rt.on('actor:crashed', () => seen.crashed.push(clock.now()));
  rt.on('runtime:failed', () => seen.failed++);
  rt.on('supervisor:escalated', (e) => seen.escalated.push(e.supervisor));
  rt.on('reconcile:done', (e) => seen.done.set(e.key, (seen.done.get(e.key) ?? 0) + 1));
  await rt.start();
  return { clock, rt, seen };
}

/** 25 `app` resources (`app/bad` among them) and 25 `db` resources; `bad` answers garbage. */
function fiftyAndOneBad(rt: Runtime, w: World): void {
  w.broken.add('bad');
  const set = [res('app', 'bad')];
  for (let i = 0; i < 25; i++) set.push(res('app', `a${i}`), res('db', `d${i}`));
  rt.setDesired(set);
}

describe('a resource whose actor crashes on every pass', () => {
  it('crash-loops alone while 50 others of two kinds keep reconciling and repairing drift', async () => {
    const w = world();
    const { clock, rt, seen } = await start(w);
    fiftyAndOneBad(rt, w);
    await clock.advance(120_000);
    expect(seen.crashed.length).toBeGreaterThanOrEqual(7);
    const others = [...seen.done].filter(([key]) => key !== 'app/bad');
    expect(others).toHaveLength(50);
    for (const [, passes] of others) expect(passes).toBeGreaterThanOrEqual(10);

    // Drift on a sibling of the same kind and on another kind, after many crashes: repaired.
    w.objects.set('app/a3', { v: 99 });
    w.objects.set('db/d7', { v: 99 });
    await clock.advance(15_000);
    expect(w.objects.get('app/a3')).toEqual({ v: 1 });
    expect(w.objects.get('db/d7')).toEqual({ v: 1 });

    expect(seen.failed).toBe(0);
    expect(seen.escalated).toEqual([]);
    expect(rt.state).toBe('running');
    expect(rt.status('app/a3')?.phase).toBe('synced');
    expect(w.most).toBe(1); // a restart never overlapped an operation on the same key
  });

  it('shows Degraded with reason CrashLoop after 3 crashes in a row, with an event and a metric', async () => {
    const w = world();
    const { clock, rt } = await start(w);
    const degraded: string[] = [];
    const loops: { crashes: number; delayMs: number; error: string }[] = [];
    rt.on('degraded', (e) => degraded.push(`${e.key} ${e.reason}`));
    rt.on('actor:crashloop', (e) => loops.push({ crashes: e.crashes, delayMs: e.delayMs, error: e.error }));
    w.broken.add('bad');
    rt.setDesired([res('app', 'bad')]);
    await clock.advance(1000); // crashes at 0.1 s and 0.2 s (restarted at once); the next waits 1–1.2 s
    expect(rt.status('app/bad')?.restarts).toBe(1);
    expect(rt.status('app/bad')?.conditions.find((c) => c.type === 'Degraded')?.status).toBe(false);
    await clock.advance(1000);
    const status = rt.status('app/bad')!;
    expect(status.phase).toBe('degraded');
    expect(status.conditions).toEqual([
      { type: 'Ready', status: false, reason: 'CrashLoop' },
      { type: 'Synced', status: false, reason: 'CrashLoop' },
      { type: 'Progressing', status: false, reason: 'CrashLoop' },
      { type: 'Degraded', status: true, reason: 'CrashLoop' },
    ]);
    expect(status.lastError).toBe(
      'ProviderContractError: app/bad: observe returned a string, expected an object or undefined',
    );
    expect(status.nextReconcileAt).toBeGreaterThan(clock.now());
    expect(degraded).toEqual(['app/bad CrashLoop']);
    expect(loops[0]).toMatchObject({ crashes: 3, error: status.lastError });
    await rt.settled(); // a crash loop is one of the outcomes a pass can settle on
    const metrics = await rt.metrics.registry.getSingleMetricAsString('setpoint_crash_loops_total');
    expect(metrics).toContain('setpoint_crash_loops_total{kind="app"} 1');
  });

  it('waits longer after each crash in a row, up to a cap of 5 minutes', async () => {
    const w = world();
    const { clock, rt, seen } = await start(w);
    const delays: number[] = [];
    rt.on('actor:crashloop', (e) => delays.push(e.delayMs));
    w.broken.add('bad');
    rt.setDesired([res('app', 'bad')]);
    await clock.advance(30 * 60_000);
    // Crash n (n >= 3) waits 1 s · 2^(n-2), plus up to 20 % at random, never above 5 min.
    expect(delays.length).toBeGreaterThanOrEqual(10);
    delays.forEach((delay, i) => {
      const base = Math.min(300_000, 1000 * 2 ** (i + 1));
      expect(delay).toBeGreaterThanOrEqual(base);
      expect(delay).toBeLessThanOrEqual(Math.min(300_000, Math.round(base * 1.2)));
    });
    expect(delays.slice(-3)).toEqual([300_000, 300_000, 300_000]);
    // The first crash restarts at once; each gap after is the delay and one 100 ms observe.
    const gaps = seen.crashed.slice(1).map((at, i) => at - seen.crashed[i]!);
    expect(gaps[0]).toBe(100);
    expect(gaps.slice(2)).toEqual(delays.slice(0, gaps.length - 2).map((d) => d + 100));
    expect(rt.state).toBe('running');
  });

  it('recovers once the provider is fixed: Ready, and CrashLoop cleared', async () => {
    const w = world();
    const { clock, rt } = await start(w);
    const recovered: string[] = [];
    rt.on('recovered', (e) => recovered.push(e.key));
    fiftyAndOneBad(rt, w);
    await clock.advance(10 * 60_000);
    expect(rt.status('app/bad')?.conditions.find((c) => c.type === 'Degraded')).toEqual({
      type: 'Degraded',
      status: true,
      reason: 'CrashLoop',
    });
    w.broken.delete('bad');
    await clock.advance(5 * 60_000 + 1000); // at most the capped backoff, then one pass
    const status = rt.status('app/bad')!;
    expect(status.phase).toBe('synced');
    expect(status.conditions.find((c) => c.type === 'Ready')?.status).toBe(true);
    expect(status.conditions.find((c) => c.type === 'Degraded')).toEqual({
      type: 'Degraded',
      status: false,
      reason: 'AsExpected',
    });
    expect(status.lastError).toBeUndefined();
    expect(status.restarts).toBeGreaterThanOrEqual(8);
    expect(w.objects.get('app/bad')).toEqual({ v: 1 });
    expect(recovered).toEqual(['app/bad']);
  });
});

describe('a systemic failure', () => {
  it('escalates when every resource of a kind crashes: the root restarts the kind, then gives up', async () => {
    const w = world();
    const { clock, rt, seen } = await start(w);
    const set: Resource[] = [];
    for (let i = 0; i < 6; i++) {
      w.broken.add(`a${i}`);
      set.push(res('app', `a${i}`), res('db', `d${i}`));
    }
    rt.setDesired(set);
    await clock.advance(5000);
    expect(seen.escalated).toEqual(['app', 'app', 'app', 'app']);
    expect(seen.failed).toBe(1);
    expect(rt.state).toBe('failed');
  });

  it('does not escalate when fewer than half of a kind crash', async () => {
    const w = world();
    const { clock, rt, seen } = await start(w);
    const set: Resource[] = [];
    for (let i = 0; i < 10; i++) set.push(res('app', `a${i}`));
    for (const name of ['a0', 'a1', 'a2', 'a3', 'a4']) w.broken.add(name);
    rt.setDesired(set);
    await clock.advance(60_000);
    expect(seen.crashed.length).toBeGreaterThan(20);
    expect(seen.escalated).toEqual([]);
    expect(rt.status('app/a9')?.phase).toBe('synced');
  });
});
