import { describe, expect, it } from 'vitest';
import { renderPlan } from '../src/diff/render.js';
import type { RuntimeEvents, RuntimeOptions } from '../src/runtime/index.js';
import { createRuntime } from '../src/runtime/index.js';
import { TestClock } from '../src/time/test-clock.js';
import { startScripted, stopAfterEach, user } from './helpers/runtime-harness.js';
import { scriptedProvider } from './helpers/scripted-provider.js';

const track = stopAfterEach();
const names = (n: number) => Array.from({ length: n }, (_, i) => `u${i}`);

async function setup(options: Partial<RuntimeOptions> = {}) {
  const { clock, sys, rt } = await startScripted(track, options);
  const held: Parameters<RuntimeEvents['deletion:held']>[0][] = [];
  const approved: Parameters<RuntimeEvents['deletion:approved']>[0][] = [];
  rt.on('deletion:held', (e) => held.push(e));
  rt.on('deletion:approved', (e) => approved.push(e));
  await rt.start();
  const synced = async (list: string[]) => {
    rt.setDesired(list.map((name) => user(name, { v: 1 })));
    await clock.advance(0);
    await rt.settled();
  };
  return { clock, sys, rt, held, approved, synced };
}

const syncedReason = (status: { conditions: readonly { type: string; status: boolean; reason: string }[] }) =>
  status.conditions.find((c) => c.type === 'Synced');

describe('the deletion budget', () => {
  it('is told by plan() before an apply: how many deletes of a kind go ahead, and how many are held', async () => {
    const { clock, sys, rt, synced } = await setup();
    await synced(names(10));
    // A second, dry-run runtime on the same state plans the shrink, as `setpoint plan` does.
    const planner = createRuntime({ providers: [sys.provider], clock, store: rt.store, dryRun: true });
    planner.setDesired([user('u0', { v: 1 })]);
    const plan = await planner.plan();
    expect(plan.summary.destroy).toBe(9);
    expect(plan.held).toEqual([{ kind: 'user', deletes: 9, through: 5, limit: 5, windowMs: 3_600_000 }]);
    expect(renderPlan(plan)).toContain(
      'Deletion budget: 5 of the 9 deletes of user go ahead now (at most 5 per 1h); an apply holds the other 4',
    );
  });

  it('deletes at most the budget when the set shrinks from 10 to 1, and holds the rest, saying so', async () => {
    const { clock, sys, rt, held, synced } = await setup();
    await synced(names(10));
    const result = rt.setDesired([user('u0', { v: 1 })]);
    expect(result).toMatchObject({ ok: true, removed: 9 });
    await clock.advance(0);
    await rt.settled();

    // The default: the larger of 5 and 10 % of the 10 managed.
    expect(sys.callsOf('delete')).toHaveLength(5);
    expect(sys.world.size).toBe(5);
    const heldKeys = rt.heldDeletions().map((h) => h.key);
    expect(heldKeys).toHaveLength(4);
    expect(held).toEqual([
      { kind: 'user', keys: heldKeys, budget: { max: 5, windowMs: 3_600_000 }, at: clock.now() },
    ]);
    for (const key of heldKeys) {
      expect(sys.world.has(key.slice('user/'.length))).toBe(true);
      const status = rt.status(key)!;
      expect(status.phase).toBe('synced');
      expect(syncedReason(status)).toEqual({ type: 'Synced', status: false, reason: 'DeletionHeld' });
    }
    expect(rt.status().filter((s) => syncedReason(s)?.reason === 'DeletionHeld')).toHaveLength(4);
    expect(await rt.metrics.registry.getSingleMetricAsString('setpoint_deletions_held')).toContain(
      'setpoint_deletions_held{kind="user"} 4',
    );

    // Still held a long while later: the window refilling does not let them go on its own.
    await clock.advance(2 * 3_600_000);
    expect(rt.heldDeletions()).toHaveLength(4);
    expect(sys.world.size).toBe(5);
  });

  it('deletes the held ones on approval, dependents before what they depend on', async () => {
    const { clock, sys, rt, approved } = await setup({ deletionBudget: { max: 1, fraction: 0 } });
    rt.setDesired([
      user('keep', {}),
      user('base', {}),
      user('x1', {}, ['user/base']),
      user('x2', {}, ['user/base']),
    ]);
    await clock.advance(0);
    await rt.settled();
    rt.setDesired([user('keep', {})]);
    await clock.advance(0);
    await rt.settled();
    // One dependent uses the budget; the other is held, and so is the base it still needs.
    expect(sys.callsOf('delete').map((c) => c.name)).toEqual(['x1']);
    expect(rt.heldDeletions().map((h) => h.key)).toEqual(['user/base', 'user/x2']);
    expect(sys.world.has('base')).toBe(true);

    expect(rt.approveDeletions()).toEqual(expect.arrayContaining(['user/base', 'user/x2']));
    expect(approved).toHaveLength(1);
    await clock.advance(0);
    await rt.settled();
    expect(sys.callsOf('delete').map((c) => c.name)).toEqual(['x1', 'x2', 'base']);
    expect([...sys.world.keys()]).toEqual(['keep']);
    expect(rt.heldDeletions()).toEqual([]);
    expect(rt.status().map((s) => s.key)).toEqual(['user/keep']);
  });

  it('approves only the keys it is given', async () => {
    const { clock, sys, rt } = await setup({ deletionBudget: { max: 0, fraction: 0 } });
    await synced3();
    async function synced3() {
      rt.setDesired(['a', 'b', 'c'].map((n) => user(n, {})));
      await clock.advance(0);
      await rt.settled();
    }
    rt.setDesired([user('a', {})]);
    await clock.advance(0);
    expect(rt.heldDeletions().map((h) => h.key)).toEqual(['user/b', 'user/c']);
    expect(rt.approveDeletions(['user/c', 'user/nope'])).toEqual(['user/c']);
    await clock.advance(0);
    await rt.settled();
    expect([...sys.world.keys()].sort()).toEqual(['a', 'b']);
  });

  it('stops holding a resource that is desired again, and deletes nothing', async () => {
    const { clock, sys, rt, synced } = await setup();
    await synced(names(10));
    rt.setDesired([user('u0', { v: 1 })]);
    await clock.advance(0);
    await rt.settled();
    const [first, second] = rt.heldDeletions().map((h) => h.key.slice('user/'.length));
    rt.setDesired([user('u0', { v: 1 }), user(first!, { v: 1 }), user(second!, { v: 2 })]);
    await clock.advance(0);
    await rt.settled();
    expect(rt.heldDeletions().map((h) => h.key)).not.toContain(`user/${first}`);
    expect(rt.heldDeletions()).toHaveLength(2);
    expect(syncedReason(rt.status(`user/${first}`)!)).toMatchObject({ status: true, reason: 'Synced' });
    expect(sys.world.get(second!)).toEqual({ v: 2 });
    rt.approveDeletions();
    await clock.advance(0);
    await rt.settled();
    expect(sys.callsOf('delete', first)).toEqual([]);
    expect(sys.callsOf('delete', second)).toEqual([]);
    expect([...sys.world.keys()].sort()).toEqual(['u0', first, second].sort());
  });

  it('lets deletes through again once the window has passed', async () => {
    const { clock, sys, rt, held } = await setup({
      deletionBudget: { max: 2, fraction: 0, windowMs: 60_000 },
    });
    rt.setDesired(names(6).map((n) => user(n, {})));
    await clock.advance(0);
    await rt.settled();
    const shrinkTo = async (n: number) => {
      rt.setDesired(names(n).map((name) => user(name, {})));
      await clock.advance(0);
      await rt.settled();
    };
    await shrinkTo(4); // u4, u5: within the budget
    expect(sys.world.size).toBe(4);
    await shrinkTo(3); // u3: over it
    expect(rt.heldDeletions().map((h) => h.key)).toEqual(['user/u3']);
    expect(held[0]?.budget).toEqual({ max: 2, windowMs: 60_000 });
    await clock.advance(60_000);
    await shrinkTo(2); // u2: the window is new
    expect(sys.world.has('u2')).toBe(false);
    expect(sys.world.has('u3')).toBe(true);
    expect(rt.heldDeletions().map((h) => h.key)).toEqual(['user/u3']);
  });

  it('holds nothing when turned off, and still refuses an empty set', async () => {
    const { clock, sys, rt, synced } = await setup({ deletionBudget: false });
    await synced(names(10));
    expect(rt.setDesired([])).toMatchObject({ ok: false });
    rt.setDesired([user('u0', { v: 1 })]);
    await clock.advance(0);
    await rt.settled();
    expect(sys.callsOf('delete')).toHaveLength(9);
    expect(rt.heldDeletions()).toEqual([]);
  });

  it('rejects a budget that makes no sense, naming the option', () => {
    const clock = new TestClock();
    const { provider } = scriptedProvider('user', clock);
    const make = (deletionBudget: unknown) =>
      createRuntime({ providers: [provider], clock, deletionBudget } as RuntimeOptions);
    expect(() => make({ max: -1 })).toThrow(/deletionBudget\.max/);
    expect(() => make({ fraction: 2 })).toThrow(/deletionBudget\.fraction/);
    expect(() => make({ kinds: { user: { windowMs: Number.NaN } } })).toThrow(
      /deletionBudget\.kinds\.user\.windowMs/,
    );
    expect(() => make({ max: Number.POSITIVE_INFINITY, kinds: { user: false } })).not.toThrow();
  });
});
