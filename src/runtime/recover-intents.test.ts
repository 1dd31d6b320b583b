import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { defineProvider, type Observed } from '../contract/provider.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { StateStore } from '../store/state-store.js';
import { seededRandom } from '../time/random.js';
import { TestClock } from '../time/test-clock.js';
import { createRuntime, type Runtime } from './runtime.js';

// Intents a crash left behind, of every kind, must never stop the runtime from starting: it
// resolves what it can and keeps the rest pending, with a warning.

/** Objects by path; like the file provider, a spec without a path cannot be looked up. */
function pathProvider(world: Map<string, Observed>, fail?: () => boolean) {
  const pathOf = (spec: unknown): string => {
    const path = (spec as { path?: unknown }).path;
    if (typeof path !== 'string') throw new Error('spec.path: expected a path');
    return path;
  };
  return defineProvider({
    kind: 'files',
    observe: async (ref) => {
      if (fail?.()) throw new Error('provider down');
      return world.get(pathOf(ref.spec));
    },
    create: async (d) => void world.set(pathOf(d.spec), { ...d.spec }),
    update: async (d) => void world.set(pathOf(d.spec), { ...d.spec }),
    delete: async (_c, ref) => void world.delete(pathOf(ref.spec)),
  });
}

async function started(store: StateStore, world: Map<string, Observed>, fail?: () => boolean) {
  const clock = new TestClock();
  const warnings: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const rt = createRuntime({
    providers: [pathProvider(world, fail)],
    clock,
    random: seededRandom(1),
    store,
    logger,
  });
  await rt.start();
  return { rt, clock, warnings };
}

async function stop(rt: Runtime, clock: TestClock): Promise<void> {
  const stopped = rt.stop();
  await clock.advance(60_000);
  await stopped;
}

async function storeWith(setup: (store: StateStore) => Promise<void>): Promise<StateStore> {
  const store = createMemoryStore({ clock: new TestClock() });
  await store.open();
  await setup(store);
  await store.close();
  return store;
}

const entry = (name: string, spec: Record<string, unknown>) => ({
  key: `files/${name}`,
  kind: 'files',
  name,
  origin: 'created' as const,
  lastApplied: spec,
});

describe('recovering intents at start', () => {
  it('settles an old-format delete (no spec) whose entry was already forgotten', async () => {
    const store = await storeWith(async (s) => void (await s.intend({ key: 'files/x', op: 'delete' })));
    const { rt, clock } = await started(store, new Map());
    expect(store.pendingIntents()).toEqual([]);
    expect(store.get('files/x')).toBeUndefined();
    await stop(rt, clock);
  });

  it('looks an old-format delete up with the inventory spec while the entry is there', async () => {
    const world = new Map<string, Observed>([['x.txt', { path: 'x.txt' }]]);
    const store = await storeWith(async (s) => {
      await s.record(entry('x', { path: 'x.txt' }));
      await s.intend({ key: 'files/x', op: 'delete' });
    });
    const { rt, clock } = await started(store, world);
    expect(store.pendingIntents()).toEqual([]);
    expect(store.get('files/x')).toBeDefined(); // still there: deleted again by a prune
    await stop(rt, clock);
  });

  it('forgets a delete whose object is gone, with the entry already forgotten', async () => {
    const store = await storeWith(
      async (s) => void (await s.intend({ key: 'files/x', op: 'delete', spec: { path: 'x.txt' } })),
    );
    const { rt, clock } = await started(store, new Map());
    expect(store.pendingIntents()).toEqual([]);
    expect(store.inventory().size).toBe(0);
    await stop(rt, clock);
  });

  it('owns again a delete whose object is still there after its entry was forgotten, and prunes it', async () => {
    const world = new Map<string, Observed>([
      ['x.txt', { path: 'x.txt' }],
      ['y.txt', { path: 'y.txt' }],
    ]);
    const store = await storeWith(async (s) => {
      await s.record(entry('y', { path: 'y.txt' }));
      await s.intend({ key: 'files/x', op: 'delete', spec: { path: 'x.txt' } });
    });
    const { rt, clock } = await started(store, world);
    expect(store.pendingIntents()).toEqual([]);
    expect(store.get('files/x')).toMatchObject({ origin: 'created', lastApplied: { path: 'x.txt' } });
    expect(rt.setDesired([{ kind: 'files', name: 'y', spec: { path: 'y.txt' } }]).ok).toBe(true);
    await clock.advance(5000);
    expect([...world.keys()]).toEqual(['y.txt']);
    expect([...store.inventory().keys()]).toEqual(['files/y']);
    await stop(rt, clock);
  });

  it('records a create that happened and retries one that did not', async () => {
    const world = new Map<string, Observed>([['a.txt', { path: 'a.txt' }]]);
    const store = await storeWith(async (s) => {
      await s.intend({ key: 'files/a', op: 'create', spec: { path: 'a.txt' } });
      await s.intend({ key: 'files/b', op: 'create', spec: { path: 'b.txt' } });
      await s.intend({ key: 'files/c', op: 'update', spec: { path: 'c.txt' } });
    });
    const { rt, clock } = await started(store, world);
    expect(store.pendingIntents()).toEqual([]);
    expect([...store.inventory().keys()]).toEqual(['files/a']);
    await stop(rt, clock);
  });

  it('starts anyway, keeping with a warning an intent of a kind no provider serves or that cannot be observed', async () => {
    let down = true;
    const store = await storeWith(async (s) => {
      await s.intend({ key: 'buckets/logs', op: 'delete', spec: { region: 'eu' } });
      await s.intend({ key: 'files/a', op: 'create', spec: { path: 'a.txt' } });
      await s.intend({ key: 'files/b', op: 'create', spec: {} });
    });
    const first = await started(store, new Map(), () => down);
    expect(first.rt.state).toBe('running');
    expect(store.pendingIntents().map((i) => i.key)).toEqual(['buckets/logs', 'files/a', 'files/b']);
    const text = first.warnings.join('');
    expect(text).toContain('could not resolve the pending delete of buckets/logs');
    expect(text).toContain('no provider serves kind `buckets`');
    expect(text).toContain('provider down');
    await stop(first.rt, first.clock);

    down = false; // the next start resolves what it now can
    const second = await started(store, new Map());
    expect(store.pendingIntents().map((i) => i.key)).toEqual(['buckets/logs', 'files/b']);
    await stop(second.rt, second.clock);
  });
});

describe('the journal of a delete', () => {
  it('carries the spec the object was found with', async () => {
    const world = new Map<string, Observed>();
    const store = createMemoryStore({ clock: new TestClock() });
    const intents: unknown[] = [];
    const intend = store.intend.bind(store);
    store.intend = (request) => {
      intents.push(request);
      return intend(request);
    };
    const { rt, clock } = await started(store, world);
    rt.setDesired([
      { kind: 'files', name: 'x', spec: { path: 'x.txt' } },
      { kind: 'files', name: 'y', spec: { path: 'y.txt' } },
    ]);
    await clock.advance(5000);
    rt.setDesired([{ kind: 'files', name: 'y', spec: { path: 'y.txt' } }]);
    await clock.advance(5000);
    expect([...world.keys()]).toEqual(['y.txt']);
    expect(intents).toContainEqual({ key: 'files/x', op: 'delete', spec: { path: 'x.txt' } });
    await stop(rt, clock);
  });
});
