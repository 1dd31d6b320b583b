import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStore, createRuntime, type Runtime, renderPlan, type StateStore } from '../src/index.js';
import { memoryProvider, seededRandom, TestClock } from '../src/testing.js';

/**
 * Ownership through the public API: what a runtime created or adopted, what prune deletes and
 * what it releases, the leftovers of an earlier run, and fields dropped from a spec.
 */
const running: { rt: Runtime; clock: TestClock }[] = [];
afterEach(async () => {
  for (const { rt, clock } of running.splice(0)) {
    const stopped = rt.stop();
    await clock.advance(60_000);
    await stopped;
  }
});

const user = (name: string, spec: Record<string, unknown>) => ({ kind: 'user', name, spec });

function world(clock: TestClock, initial: Record<string, Record<string, unknown>> = {}) {
  return memoryProvider({ kind: 'user', clock, random: seededRandom(7), initial });
}

async function start(
  users: ReturnType<typeof world>,
  clock: TestClock,
  extra: { store?: StateStore; pruneAdopted?: boolean } = {},
): Promise<Runtime> {
  const rt = createRuntime({
    providers: [users],
    clock,
    random: seededRandom(1),
    interval: 10_000,
    ...extra,
  });
  running.push({ rt, clock });
  await rt.start();
  return rt;
}

/** The plan for `desired` on `store`, from a runtime that is never started (as `setpoint plan`). */
async function planOn(
  users: ReturnType<typeof world>,
  clock: TestClock,
  store: StateStore,
  desired: ReturnType<typeof user>[],
  pruneAdopted = false,
) {
  const planner = createRuntime({ providers: [users], clock, random: seededRandom(3), store, pruneAdopted });
  await store.open();
  try {
    planner.setDesired(desired);
    return await planner.plan();
  } finally {
    await store.close();
  }
}

async function settle(rt: Runtime, clock: TestClock): Promise<void> {
  const done = rt.settled();
  await clock.advance(0);
  await done;
}

describe('leftovers of an earlier run', () => {
  it('are deleted by the runtime on its first desired set, exactly as plan() listed', async () => {
    const clock = new TestClock();
    const users = world(clock);
    const store = createMemoryStore({ clock });
    const first = await start(users, clock, { store });
    first.setDesired([user('alice', { role: 'admin' }), user('bob', { role: 'dev' })]);
    await settle(first, clock);
    const stopped = first.stop();
    await clock.advance(1000);
    await stopped;
    running.splice(0);

    // A second process on the same state: bob is no longer declared.
    const second = createRuntime({ providers: [users], clock, random: seededRandom(2), store });
    running.push({ rt: second, clock });
    await second.store.open();
    const planned = await second.plan();
    await second.store.close();
    expect(planned.actions.map((a) => `${a.action} ${a.key}`)).toEqual([
      'delete user/alice',
      'delete user/bob',
    ]);

    await second.start();
    second.setDesired([user('alice', { role: 'admin' })]);
    const deleted: string[] = [];
    second.on('resource:deleted', (e) => deleted.push(e.key));
    const plan = await second.plan();
    expect(plan.actions.map((a) => `${a.action} ${a.key}`)).toEqual(['delete user/bob']);
    await settle(second, clock);
    expect(deleted).toEqual(['user/bob']);
    expect(users.store.has('bob')).toBe(false);
    expect(users.store.has('alice')).toBe(true);
    expect([...store.inventory().keys()]).toEqual(['user/alice']);
    expect(await second.plan()).toMatchObject({ actions: [] });
  });

  it('an empty first set that would delete them is refused', async () => {
    const clock = new TestClock();
    const users = world(clock, { bob: { role: 'dev' } });
    const store = createMemoryStore({ clock });
    await store.open();
    await store.record({
      key: 'user/bob',
      kind: 'user',
      name: 'bob',
      origin: 'created',
      lastApplied: { role: 'dev' },
    });
    await store.close();
    const rt = await start(users, clock, { store });
    expect(rt.setDesired([]).ok).toBe(false);
    await clock.advance(1000);
    expect(users.store.has('bob')).toBe(true);
  });
});

describe('adoption', () => {
  it('shows an existing object as adopt in the plan, records it as adopted, and releases it when it leaves', async () => {
    const clock = new TestClock();
    const users = world(clock, { carol: { role: 'ops' }, dave: { role: 'guest', team: 'x' } });
    const store = createMemoryStore({ clock });
    const desired = [
      user('carol', { role: 'ops' }),
      user('dave', { role: 'dev' }),
      user('erin', { role: 'dev' }),
    ];
    const plan = await planOn(users, clock, store, desired);
    expect(plan.actions.map((a) => `${a.action} ${a.key}`)).toEqual([
      'adopt user/carol',
      'adopt user/dave',
      'create user/erin',
    ]);
    expect(plan.summary).toEqual({ add: 1, change: 0, destroy: 0, adopt: 2 });
    expect(renderPlan(plan)).toContain('  = user/dave (adopt)\n      ~ role: "guest" -> "dev"');
    expect(renderPlan(plan)).toContain('Plan: 1 to add, 0 to change, 0 to destroy, 2 to adopt.');

    const rt = await start(users, clock, { store });
    const adopted: string[] = [];
    rt.on('resource:adopted', (e) => adopted.push(e.key));
    rt.setDesired(desired);
    await settle(rt, clock);
    expect(adopted.sort()).toEqual(['user/carol', 'user/dave']);
    expect(rt.status('user/carol')?.origin).toBe('adopted');
    expect(rt.status('user/dave')?.origin).toBe('adopted');
    expect(rt.status('user/erin')?.origin).toBe('created');
    expect(users.store.get('dave')).toEqual({ role: 'dev', team: 'x' });

    expect(rt.setDesired([user('zed', { role: 'x' })]).ok).toBe(true);
    await settle(rt, clock);
    expect(users.store.has('carol')).toBe(true); // adopted: released, left in place
    expect(users.store.has('dave')).toBe(true);
    expect(users.store.has('erin')).toBe(false); // created: deleted
    expect(rt.store.get('user/carol')).toBeUndefined();
    expect(rt.store.get('user/dave')).toBeUndefined();
  });

  it('deletes adopted objects too under pruneAdopted', async () => {
    const clock = new TestClock();
    const users = world(clock, { carol: { role: 'ops' } });
    const store = createMemoryStore({ clock });
    const first = await start(users, clock, { store });
    first.setDesired([user('carol', { role: 'ops' }), user('erin', { role: 'dev' })]);
    await settle(first, clock);
    expect(first.status('user/carol')?.origin).toBe('adopted');
    const stopped = first.stop();
    await clock.advance(1000);
    await stopped;
    running.splice(0);

    const next = [user('erin', { role: 'dev' })];
    expect((await planOn(users, clock, store, next)).actions).toEqual([]);
    const plan = await planOn(users, clock, store, next, true);
    expect(plan.actions.map((a) => `${a.action} ${a.key}`)).toEqual(['delete user/carol']);
    const rt = await start(users, clock, { store, pruneAdopted: true });
    rt.setDesired(next);
    await settle(rt, clock);
    expect(users.store.has('carol')).toBe(false);
  });
});

describe('a field dropped from a spec', () => {
  it('is removed from the object, shown in the plan, and leaves fields others set alone', async () => {
    const clock = new TestClock();
    const users = world(clock);
    const rt = await start(users, clock);
    rt.setDesired([user('alice', { role: 'admin', shell: 'zsh', env: { A: '1', B: '2' } })]);
    await settle(rt, clock);
    users.mutate('alice', (spec) => ({ ...spec, owner: 'ops' })); // set by someone else

    rt.setDesired([user('alice', { role: 'admin', env: { A: '1' } })]);
    const plan = await rt.plan();
    expect(plan.actions).toEqual([
      {
        action: 'update',
        key: 'user/alice',
        kind: 'user',
        name: 'alice',
        changes: [
          { path: 'shell', old: 'zsh', new: undefined },
          { path: 'env.B', old: '2', new: undefined },
        ],
      },
    ]);
    expect(renderPlan(plan)).toBe(
      '  ~ user/alice\n      - shell: "zsh"\n      - env.B: "2"\n\nPlan: 0 to add, 1 to change, 0 to destroy.',
    );
    await settle(rt, clock);
    expect(users.store.get('alice')).toEqual({ role: 'admin', env: { A: '1' }, owner: 'ops' });

    const updates = users.calls.update;
    await clock.advance(30_000); // a few more passes: in sync, nothing applied
    expect(users.calls.update).toBe(updates);
    expect(rt.status('user/alice')?.phase).toBe('synced');
    expect((await rt.plan()).actions).toEqual([]);
  });
});
