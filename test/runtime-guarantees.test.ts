import { describe, expect, it } from 'vitest';
import { PermanentError } from '../src/contract/errors.js';
import { defineProvider, type Observed } from '../src/contract/provider.js';
import { createRuntime, type RuntimeOptions } from '../src/runtime/index.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';
import { mapProvider, startScripted, stopAfterEach, user } from './helpers/runtime-harness.js';
import { scriptedProvider } from './helpers/scripted-provider.js';

/**
 * Guarantees at the edges of the resource actor: dry runs that touch nothing, deletes that
 * cannot succeed, events that agree with the status a listener reads, passes that always end.
 */
const track = stopAfterEach();

async function setup(options: Partial<RuntimeOptions> & { latencyMs?: number } = {}) {
  const started = await startScripted(track, { interval: 10_000, ...options });
  await started.rt.start();
  return started;
}

describe('a dry run', () => {
  it('reports the delete of a resource that leaves the desired set, and deletes nothing', async () => {
    const clock = new TestClock();
    const sys = scriptedProvider('user', clock);
    const first = createRuntime({ providers: [sys.provider], clock, random: seededRandom(1) });
    await first.start();
    first.setDesired([user('alice', { role: 'admin' }), user('bob', { role: 'dev' })]);
    await clock.advance(0);
    const stopped = first.stop();
    await clock.advance(60_000);
    await stopped;
    // A second runtime shares the inventory (same store) and only plans.
    const rt = createRuntime({
      providers: [sys.provider],
      clock,
      random: seededRandom(2),
      dryRun: true,
      store: first.store,
    });
    track(rt, clock);
    await rt.start();
    rt.setDesired([user('alice', { role: 'admin' }), user('bob', { role: 'dev' })]);
    await clock.advance(0);
    const planned: string[] = [];
    const deleted: string[] = [];
    rt.on('plan:computed', (e) => planned.push(`${e.action.action} ${e.key}`));
    rt.on('resource:deleted', (e) => deleted.push(e.key));
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    expect(planned).toEqual(['delete user/bob']);
    expect(deleted).toEqual([]);
    expect(sys.callsOf('delete')).toHaveLength(0);
    expect(sys.world.has('bob')).toBe(true);
    expect(first.store.get('user/bob')).toBeDefined();
  });

  it('writes nothing to the store, not even the adoption of what already exists', async () => {
    const { clock, sys, rt } = await setup({ dryRun: true });
    sys.world.set('carol', { role: 'ops' });
    rt.setDesired([user('carol', { role: 'ops' })]);
    await clock.advance(0);
    expect(rt.status('user/carol')?.phase).toBe('synced');
    expect(rt.store.get('user/carol')).toBeUndefined();
    expect(rt.store.inventory().size).toBe(0);
  });
});

describe('a delete that cannot succeed', () => {
  it('goes Degraded on a permanent error and waits, without retrying, until asked', async () => {
    const { clock, sys, rt } = await setup({ allowEmpty: true });
    const degraded: string[] = [];
    rt.on('degraded', (e) => degraded.push(e.reason));
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    sys.failNext('delete', 1, () => new PermanentError('protected object'));
    rt.setDesired([]);
    await clock.advance(0);
    expect(degraded).toEqual(['PermanentError: protected object']);
    expect(rt.status('user/alice')).toMatchObject({ phase: 'deleteBackoff', nextReconcileAt: undefined });
    expect(rt.status('user/alice')?.conditions.find((c) => c.type === 'Degraded')?.status).toBe(true);
    await clock.advance(3_600_000);
    expect(sys.callsOf('delete')).toHaveLength(1);
    expect(rt.reconcile('user/alice')).toBe(true);
    await clock.advance(0);
    expect(sys.callsOf('delete')).toHaveLength(2);
    expect(sys.world.has('alice')).toBe(false);
    expect(rt.status('user/alice')).toBeUndefined();
  });

  it('retries at once when triggered while its delete was running', async () => {
    const { clock, sys, rt } = await setup({ allowEmpty: true, latencyMs: 100 });
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(1000);
    sys.failNext('delete', 1);
    rt.setDesired([]);
    await clock.advance(150); // observe done, delete in flight
    rt.reconcile('user/alice');
    await clock.advance(500);
    // Not after the 1 s backoff: the trigger that came during the failed delete runs it again.
    expect(sys.callsOf('delete').map((c) => c.at)).toEqual([1100, 1300]);
    expect(sys.world.has('alice')).toBe(false);
  });

  it('runs at once when its dependent drops the dependency in the same change', async () => {
    const { clock, sys, rt } = await setup();
    rt.setDesired([user('db', { v: 1 }), user('app', { v: 1 }, ['user/db'])]);
    await clock.advance(0);
    rt.setDesired([user('app', { v: 2 })]); // db leaves; app no longer needs it
    await clock.advance(0);
    expect(sys.world.has('db')).toBe(false);
    expect(sys.world.get('app')).toEqual({ v: 2 });
  });

  it('waits for dependents that are being deleted, then runs', async () => {
    const { clock, sys, rt } = await setup({ allowEmpty: true, latencyMs: 100 });
    rt.setDesired([user('db', { v: 1 }), user('app', { v: 1 }, ['user/db'])]);
    await clock.advance(1000);
    rt.setDesired([]);
    await clock.advance(0);
    expect(rt.status('user/db')?.phase).toBe('deleteBackoff');
    await clock.advance(1000);
    expect(sys.world.size).toBe(0);
    const deletes = sys.callsOf('delete').map((c) => c.name);
    expect(deletes).toEqual(['app', 'db']);
  });
});

describe('events', () => {
  it('are emitted once the status says what they say', async () => {
    const { clock, rt, sys } = await setup();
    const seen: string[] = [];
    rt.on('resource:synced', (e) => seen.push(`synced: ${rt.status(e.key)?.phase}`));
    rt.on('reconcile:done', (e) => seen.push(`${e.result}: ${rt.status(e.key)?.phase}`));
    rt.on('action:failed', (e) => seen.push(`failed: ${rt.status(e.key)?.phase} next ${e.delayMs}`));
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    sys.failNext('update', 1);
    rt.setDesired([user('alice', { role: 'dev' })]);
    await clock.advance(0);
    expect(seen).toEqual([
      'synced: synced',
      'applied: synced',
      'failed: backoff next 1000',
      'failed: backoff',
    ]);
  });

  it('say the rollback retries at once, not after the backoff', async () => {
    const { clock, sys, rt } = await setup({ rollback: true, maxRetries: 1 });
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    rt.reconcile('user/alice'); // seen healthy: last-good
    await clock.advance(0);
    const delays: (number | undefined)[] = [];
    rt.on('action:failed', (e) => delays.push(e.delayMs));
    sys.failNext('update', 1);
    rt.setDesired([user('alice', { role: 'broken' })]);
    await clock.advance(0);
    expect(delays).toEqual([0]);
    expect(sys.world.get('alice')).toEqual({ role: 'admin' });
  });

  it('pair every reconcile:start with one reconcile:done, even when an apply is superseded', async () => {
    const { clock, rt } = await setup({ latencyMs: 100 });
    let open = 0;
    let maxOpen = 0;
    let done = 0;
    rt.on('reconcile:start', () => {
      open++;
      maxOpen = Math.max(maxOpen, open);
    });
    rt.on('reconcile:done', () => {
      open--;
      done++;
    });
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    rt.setDesired([user('alice', { role: 'dev' })]); // arrives while the first pass observes
    await clock.advance(150);
    rt.setDesired([user('alice', { role: 'ops' })]); // arrives while the create is in flight
    await clock.advance(5000);
    expect(open).toBe(0);
    expect(maxOpen).toBe(1);
    expect(done).toBeGreaterThan(0);
  });
});

describe('a progressing resource', () => {
  it('ends its pass, records when, and looks again sooner than the interval', async () => {
    const clock = new TestClock();
    const world = new Map<string, Observed>();
    let ready = false;
    const app = mapProvider('app', world, { health: () => (ready ? 'healthy' : 'progressing') });
    const rt = createRuntime({
      providers: [app],
      clock,
      random: seededRandom(1),
      interval: 60_000,
      backoff: { baseMs: 1000, capMs: 8000, jitter: 'none' },
    });
    track(rt, clock);
    await rt.start();
    world.set('web', { v: 1 }); // exists, still coming up
    const results: string[] = [];
    rt.on('reconcile:done', (e) => results.push(`${clock.now()} ${e.result}`));
    rt.setDesired([{ kind: 'app', name: 'web', spec: { v: 1 } }]);
    await clock.advance(0);
    expect(rt.status('app/web')).toMatchObject({ phase: 'progressing', lastReconcileAt: 0 });
    await clock.advance(3000);
    ready = true;
    await clock.advance(4000);
    expect(results).toEqual(['0 progressing', '1000 progressing', '3000 progressing', '7000 in-sync']);
    expect(rt.status('app/web')?.phase).toBe('synced');
  });
});

describe('a replace', () => {
  it('keeps the inventory entry when the create after its delete fails', async () => {
    const clock = new TestClock();
    const world = new Map<string, Observed>();
    let failCreate = false;
    const disk = mapProvider('disk', world, {
      create: async (d) => {
        if (failCreate) throw new Error('no capacity');
        world.set(d.name, { ...d.spec });
      },
      compare: { replaceOn: ['size'] },
    });
    const rt = createRuntime({ providers: [disk], clock, random: seededRandom(1) });
    track(rt, clock);
    await rt.start();
    rt.setDesired([{ kind: 'disk', name: 'd1', spec: { size: 10 } }]);
    await clock.advance(0);
    failCreate = true;
    rt.setDesired([{ kind: 'disk', name: 'd1', spec: { size: 20 } }]);
    await clock.advance(0);
    expect(world.has('d1')).toBe(false);
    expect(rt.store.get('disk/d1')).toBeDefined();
    failCreate = false;
    await clock.advance(2000);
    expect(world.get('d1')).toEqual({ size: 20 });
  });
});

describe('a provider that breaks its contract', () => {
  it('crashes the actor when restart resolves with a value', async () => {
    const clock = new TestClock();
    const world = new Map<string, Observed>([['web', { v: 1 }]]);
    let sick = true;
    const app = mapProvider('app', world, {
      health: () => (sick ? 'unhealthy' : 'healthy'),
      restart: (async () => {
        sick = false;
        return 'restarted';
      }) as never,
    });
    const rt = createRuntime({ providers: [app], clock, random: seededRandom(1) });
    track(rt, clock);
    const crashes: string[] = [];
    rt.on('actor:crashed', (e) => crashes.push(e.error));
    await rt.start();
    rt.setDesired([{ kind: 'app', name: 'web', spec: { v: 1 } }]);
    await clock.advance(0);
    expect(crashes).toEqual([
      'ProviderContractError: app/web: restart resolved with a string, expected undefined',
    ]);
    expect(rt.status('app/web')?.phase).toBe('synced'); // the fresh actor looked again
  });
});

describe('an empty desired set', () => {
  it('is refused with its own code while prune would delete everything', async () => {
    const { clock, rt } = await setup();
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    const result = rt.setDesired([]);
    expect(result).toMatchObject({ ok: false, errors: [{ code: 'empty-set', key: '*' }] });
  });
});

describe('settled()', () => {
  it('resolves once every resource finished a pass at its generation, and every removed one is gone', async () => {
    const { clock, sys, rt } = await setup({ latencyMs: 100, allowEmpty: true });
    let done = false;
    rt.setDesired([user('alice', { role: 'admin' }), user('bob', { role: 'dev' })]);
    const first = rt.settled().then(() => {
      done = true;
    });
    await clock.advance(250);
    expect(done).toBe(false); // observed, created, verifying
    await clock.advance(100);
    await first;
    expect(done).toBe(true);
    expect(rt.status().map((s) => s.phase)).toEqual(['synced', 'synced']);

    sys.failNext('update', 1);
    rt.setDesired([user('alice', { role: 'dev' })]); // bob leaves, alice's update fails
    let second = false;
    const waiting = rt.settled().then(() => {
      second = true;
    });
    await clock.advance(150);
    expect(second).toBe(false);
    await clock.advance(100);
    await waiting;
    expect(rt.status('user/alice')?.phase).toBe('backoff'); // a failed pass counts: it was looked at
    expect(rt.status('user/bob')).toBeUndefined();
    expect(sys.world.has('bob')).toBe(false);
  });

  it('resolves at once when nothing is left to do', async () => {
    const { rt } = await setup();
    await expect(rt.settled()).resolves.toBeUndefined();
  });
});

describe('many resources added at once', () => {
  function listingProvider(clock: TestClock, existing: Record<string, Observed>) {
    const world = new Map<string, Observed>(Object.entries(existing));
    const calls = { observe: 0, list: 0, create: 0 };
    const later = <T>(value: () => T) =>
      new Promise<T>((resolve) => clock.setTimeout(() => resolve(value()), 10));
    const provider = defineProvider({
      kind: 'app',
      observe: (ref) => {
        calls.observe++;
        return later(() => world.get(ref.name));
      },
      list: () => {
        calls.list++;
        return later(() => new Map(world));
      },
      create: (d) => {
        calls.create++;
        return later(() => {
          if (world.has(d.name)) throw new Error(`${d.name} exists`);
          world.set(d.name, { ...d.spec });
        });
      },
      update: (d) => later(() => void world.set(d.name, { ...d.spec })),
      delete: (_c, ref) => later(() => void world.delete(ref.name)),
    });
    return { provider, world, calls };
  }

  it('read their first observation from one list, adopt what exists and create the rest', async () => {
    const clock = new TestClock();
    const sys = listingProvider(clock, { 'app-0': { v: 0 }, 'app-1': { v: 1 } });
    const rt = createRuntime({ providers: [sys.provider], clock, random: seededRandom(1), concurrency: 4 });
    track(rt, clock);
    await rt.start();
    const set = Array.from({ length: 50 }, (_, i) => ({ kind: 'app', name: `app-${i}`, spec: { v: i } }));
    rt.setDesired(set);
    const settled = rt.settled();
    await clock.advance(1000);
    await settled;
    expect(sys.calls).toEqual({ observe: 0, list: 1, create: 48 });
    expect(sys.world.size).toBe(50);
    // Later passes observe as usual.
    rt.reconcile('app/app-7');
    await clock.advance(100);
    expect(sys.calls.observe).toBe(1);
  });

  it('observe one by one when few are added, and retry on their own when the list fails', async () => {
    const clock = new TestClock();
    const sys = listingProvider(clock, {});
    const rt = createRuntime({
      providers: [sys.provider],
      clock,
      random: seededRandom(1),
      concurrency: 4,
      interval: 3_600_000,
      backoff: { baseMs: 1000, jitter: 'none' },
    });
    track(rt, clock);
    await rt.start();
    rt.setDesired([{ kind: 'app', name: 'a', spec: {} }]);
    await clock.advance(100);
    expect(sys.calls).toEqual({ observe: 1, list: 0, create: 1 });
    (sys.provider as { list: unknown }).list = async () => {
      sys.calls.list++;
      throw new Error('list is down');
    };
    const set = Array.from({ length: 10 }, (_, i) => ({ kind: 'app', name: `b${i}`, spec: {} }));
    rt.updateDesired({ set });
    await clock.advance(500);
    expect(sys.calls).toMatchObject({ observe: 1, list: 1 }); // the first passes failed with the list
    await clock.advance(60_000);
    expect(sys.calls.observe).toBe(11); // their retries observed, each on its own
    expect(sys.world.size).toBe(11);
  });

  it('start their creates as soon as their observations are done, ahead of observations not yet started', async () => {
    const clock = new TestClock();
    const sys = listingProvider(clock, {});
    const rt = createRuntime({ providers: [sys.provider], clock, random: seededRandom(1), concurrency: 2 });
    track(rt, clock);
    await rt.start();
    const created: number[] = [];
    rt.on('action:applied', () => created.push(clock.now()));
    rt.setDesired([{ kind: 'app', name: 'a', spec: {} }]);
    rt.updateDesired({ set: [{ kind: 'app', name: 'b', spec: {} }] });
    rt.updateDesired({ set: [{ kind: 'app', name: 'c', spec: {} }] });
    await clock.advance(100);
    // a and b observe (0–10), then create (10–20) before c observes (20–30) and creates (30–40).
    expect(created).toEqual([20, 20, 40]);
  });
});
