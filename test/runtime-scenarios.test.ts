import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../src/contract/errors.js';
import type { RuntimeEvents } from '../src/runtime/events.js';
import type { RuntimeOptions } from '../src/runtime/index.js';
import { startScripted, stopAfterEach, user } from './helpers/runtime-harness.js';

const track = stopAfterEach();

async function setup(options: Partial<RuntimeOptions> & { latencyMs?: number } = {}) {
  const { clock, sys, rt } = await startScripted(track, options);
  const events: { name: keyof RuntimeEvents; e: Record<string, unknown> }[] = [];
  for (const name of [
    'action:applied',
    'action:failed',
    'drift',
    'degraded',
    'recovered',
    'resource:synced',
    'resource:deleted',
    'actor:crashed',
    'actor:restarted',
    'desired:rejected',
    'plan:computed',
  ] as const) {
    rt.on(name, (e: unknown) => events.push({ name, e: e as Record<string, unknown> }));
  }
  await rt.start();
  const named = (name: keyof RuntimeEvents) => events.filter((x) => x.name === name).map((x) => x.e);
  return { clock, sys, rt, events, named };
}

describe('the resource actor', () => {
  it('creates a new resource at once and reports it synced', async () => {
    const { clock, sys, rt, named } = await setup();
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    expect(sys.world.get('alice')).toEqual({ role: 'admin' });
    expect(rt.status('user/alice')).toMatchObject({ phase: 'synced', attempts: 0, observedGeneration: 1 });
    expect(named('action:applied')).toMatchObject([{ key: 'user/alice', action: 'create' }]);
    expect(rt.status('user/alice')?.conditions.find((c) => c.type === 'Ready')?.status).toBe(true);
  });

  it('updates a resource whose spec changed, with the field changes, without waiting for the tick', async () => {
    const { clock, sys, rt, events } = await setup();
    rt.setDesired([user('alice', { role: 'admin', shell: 'bash' })]);
    await clock.advance(0);
    const plans: unknown[] = [];
    rt.on('reconcile:done', () => plans.push(rt.status('user/alice')?.plan));
    rt.setDesired([user('alice', { role: 'guest', shell: 'bash' })]);
    expect(rt.status('user/alice')?.generation).toBe(2);
    await clock.advance(0);
    expect(clock.now()).toBe(0);
    expect(sys.world.get('alice')).toEqual({ role: 'guest', shell: 'bash' });
    expect(sys.callsOf('update')).toHaveLength(1);
    expect(events.filter((x) => x.name === 'action:applied').map((x) => x.e.action)).toEqual([
      'create',
      'update',
    ]);
    expect(rt.status('user/alice')).toMatchObject({ phase: 'synced', generation: 2, observedGeneration: 2 });
  });

  it('shows the field-level change in the plan before applying it', async () => {
    const { clock, rt } = await setup();
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    rt.setDesired([user('alice', { role: 'guest' })]);
    const plan = await rt.plan();
    expect(plan.actions).toEqual([
      {
        action: 'update',
        key: 'user/alice',
        kind: 'user',
        name: 'alice',
        changes: [{ path: 'role', old: 'admin', new: 'guest' }],
      },
    ]);
  });

  it('deletes a resource removed from the desired set, then stops its actor', async () => {
    const { clock, sys, rt, named } = await setup({ allowEmpty: true });
    rt.setDesired([user('alice', { role: 'admin' }), user('bob', { role: 'dev' })]);
    await clock.advance(0);
    rt.setDesired([user('bob', { role: 'dev' })]);
    await clock.advance(0);
    expect([...sys.world.keys()]).toEqual(['bob']);
    expect(rt.status('user/alice')).toBeUndefined();
    expect(named('resource:deleted')).toMatchObject([{ key: 'user/alice' }]);
    expect(rt.store.get('user/alice')).toBeUndefined();
  });

  it('re-observes on every tick and corrects drift when the policy is enforce', async () => {
    const { clock, sys, rt, named } = await setup({ interval: 10_000 });
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    sys.world.set('alice', { role: 'root', extra: 'server-set' });
    await clock.advance(11_000);
    expect(sys.world.get('alice')).toMatchObject({ role: 'admin' });
    expect(named('drift')).toMatchObject([{ key: 'user/alice', policy: 'enforce', changes: 1 }]);
    expect(rt.status('user/alice')?.phase).toBe('synced');
  });

  it('only reports drift when the policy is alert, and says what it would do', async () => {
    const { clock, sys, rt, named } = await setup({ interval: 10_000, drift: 'alert' });
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    sys.world.set('alice', { role: 'root' });
    await clock.advance(11_000);
    expect(sys.world.get('alice')).toEqual({ role: 'root' });
    expect(named('drift')).toMatchObject([{ policy: 'alert' }]);
    expect(rt.status('user/alice')).toMatchObject({ phase: 'outOfSync', plan: { action: 'update' } });
    await clock.advance(30_000);
    expect(named('drift')).toHaveLength(1); // once per episode, not on every tick
  });

  it('backs off with the configured delays while the provider is down, then converges and resets', async () => {
    const { clock, sys, rt } = await setup({ maxRetries: 10 });
    sys.failNext('*', 4);
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    expect(rt.status('user/alice')).toMatchObject({ phase: 'backoff', attempts: 1, nextReconcileAt: 1000 });
    await clock.advance(60_000);
    const observes = sys.callsOf('observe').map((c) => c.at);
    // 1 s, 2 s, 4 s, 8 s after each failure: 0, 1000, 3000, 7000, 15000
    expect(observes.slice(0, 5)).toEqual([0, 1000, 3000, 7000, 15000]);
    expect(sys.world.get('alice')).toEqual({ role: 'admin' });
    expect(rt.status('user/alice')).toMatchObject({ phase: 'synced', attempts: 0, lastError: undefined });
  });

  it('never retries sooner than Retry-After, and slows the whole provider', async () => {
    const { clock, sys, rt } = await setup();
    sys.failNext('create', 1, () => new RetryableError('429', { retryAfterMs: 20_000 }));
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    expect(rt.status('user/alice')?.nextReconcileAt).toBe(20_000);
    rt.setDesired([user('alice', { role: 'admin' }), user('bob', { role: 'dev' })]);
    await clock.advance(19_000);
    expect(sys.callsOf('observe', 'bob')).toEqual([]); // the provider is paused for everyone
    await clock.advance(2_000);
    expect(sys.callsOf('observe', 'bob')[0]?.at).toBe(20_000);
    expect(sys.world.get('alice')).toEqual({ role: 'admin' });
    expect(sys.world.get('bob')).toEqual({ role: 'dev' });
  });

  it('goes Degraded after maxRetries and keeps retrying at the cap', async () => {
    const { clock, sys, rt, named } = await setup({
      maxRetries: 3,
      backoff: { baseMs: 100, capMs: 5000, jitter: 'none' },
    });
    sys.failNext('create', 100);
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(300);
    expect(rt.status('user/alice')).toMatchObject({ phase: 'degraded', attempts: 3 });
    expect(rt.status('user/alice')?.conditions.find((c) => c.type === 'Degraded')?.status).toBe(true);
    expect(named('degraded')).toHaveLength(1);
    await clock.advance(30_000);
    const at = sys.callsOf('create').map((c) => c.at);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    // 100, 200, 400 before Degraded; then on, up to the cap, and at the cap from there
    expect(gaps.slice(0, 8)).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(named('degraded')).toHaveLength(1);
    sys.clearFailures();
    await clock.advance(5000);
    expect(rt.status('user/alice')?.phase).toBe('synced');
    expect(named('recovered')).toHaveLength(1);
  });

  it('rolls back to the last-good spec when a new spec exhausts its retries', async () => {
    const { clock, sys, rt, named } = await setup({ rollback: true, maxRetries: 2 });
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    rt.reconcile('user/alice'); // seen in sync and healthy: now it is last-good
    await clock.advance(0);
    expect(rt.store.get('user/alice')?.lastGood).toEqual({ role: 'admin' });
    sys.failNext('update', 2);
    sys.world.set('alice', { role: 'admin' });
    rt.setDesired([user('alice', { role: 'broken' })]);
    await clock.advance(1000);
    expect(named('degraded')).toMatchObject([{ rollback: true }]);
    await clock.advance(0);
    expect(sys.world.get('alice')).toEqual({ role: 'admin' });
    expect(rt.status('user/alice')).toMatchObject({ phase: 'synced', rolledBack: true });
    expect(rt.status('user/alice')?.conditions.find((c) => c.type === 'Synced')).toMatchObject({
      status: false,
      reason: 'RolledBack',
    });
  });

  it('records no last-good spec until the applied one is seen healthy, so there is nothing to roll back to', async () => {
    const { clock, sys, rt, named } = await setup({ rollback: true, maxRetries: 2 });
    sys.unhealthy.add('alice');
    sys.failNext('restart', 10); // and stays so
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    expect(rt.store.get('user/alice')?.lastGood).toBeUndefined();
    sys.failNext('update', 2);
    rt.setDesired([user('alice', { role: 'broken' })]);
    await clock.advance(1000);
    expect(named('degraded')).toMatchObject([{ rollback: false }]);
    expect(sys.world.get('alice')).toEqual({ role: 'admin' });
  });

  it('goes Degraded at once on a permanent error, without retrying', async () => {
    const { clock, sys, rt } = await setup();
    sys.failNext('create', 1, () => new PermanentError('invalid role'));
    rt.setDesired([user('alice', { role: 'nope' })]);
    await clock.advance(3_600_000);
    expect(sys.callsOf('create')).toHaveLength(1);
    expect(rt.status('user/alice')).toMatchObject({
      phase: 'degraded',
      lastError: 'PermanentError: invalid role',
    });
    rt.setDesired([user('alice', { role: 'dev' })]); // a new spec tries again
    await clock.advance(0);
    expect(sys.world.get('alice')).toEqual({ role: 'dev' });
  });

  it('restarts an unhealthy resource through its provider', async () => {
    const { clock, sys, rt } = await setup({ interval: 10_000 });
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    sys.unhealthy.add('alice');
    await clock.advance(11_000);
    expect(sys.callsOf('restart', 'alice')).toHaveLength(1);
    await clock.advance(2_000);
    expect(rt.status('user/alice')?.phase).toBe('synced');
  });

  it('creates dependents only after their dependencies are Ready, and deletes in reverse', async () => {
    const { clock, sys, rt } = await setup({ latencyMs: 100, allowEmpty: true });
    rt.setDesired([user('app', { v: 1 }, ['user/db']), user('db', { v: 1 })]);
    await clock.advance(100);
    expect(rt.status('user/app')?.phase).toBe('waiting');
    await clock.advance(1000);
    const creates = sys.callsOf('create').map((c) => c.name);
    expect(creates).toEqual(['db', 'app']);
    rt.setDesired([]);
    await clock.advance(5000);
    expect(sys.callsOf('delete').map((c) => c.name)).toEqual(['app', 'db']);
    expect(sys.world.size).toBe(0);
  });

  it('rejects a desired set with a cycle, naming it, and keeps the old set running', async () => {
    const { clock, sys, rt, named } = await setup();
    rt.setDesired([user('a', { v: 1 })]);
    await clock.advance(0);
    const result = rt.setDesired([user('a', { v: 2 }, ['user/b']), user('b', { v: 1 }, ['user/a'])]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => e.code)).toContain('cycle');
    expect(named('desired:rejected')).toHaveLength(1);
    await clock.advance(60_000);
    expect(sys.world.get('a')).toEqual({ v: 1 });
    expect([...sys.world.keys()]).toEqual(['a']);
  });

  it('restarts a crashed actor under its supervisor with fresh state', async () => {
    const { clock, sys, rt, named } = await setup({ interval: 10_000 });
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    const observe = sys.provider.observe;
    let broken = true;
    sys.provider.observe = async (ref, ctx) => {
      if (broken) {
        broken = false;
        return 42 as unknown as undefined; // an invalid value: a bug, not a failure
      }
      return observe.call(sys.provider, ref, ctx);
    };
    await clock.advance(11_000);
    expect(named('actor:crashed')).toMatchObject([{ key: 'user/alice' }]);
    expect(named('actor:restarted')).toMatchObject([{ key: 'user/alice', restarts: 1 }]);
    expect(rt.status('user/alice')).toMatchObject({ phase: 'synced', restarts: 1 });
  });

  it('changes nothing in dry-run and reports the plan', async () => {
    const { clock, sys, rt, named } = await setup({ dryRun: true });
    sys.world.set('bob', { role: 'dev' });
    rt.setDesired([user('alice', { role: 'admin' }), user('bob', { role: 'ops' })]);
    await clock.advance(60_000);
    expect(sys.callsOf('create')).toEqual([]);
    expect(sys.callsOf('update')).toEqual([]);
    const planned = named('plan:computed').map((e) => `${e.key} ${(e.action as { action: string }).action}`);
    expect([...new Set(planned)].sort()).toEqual(['user/alice create', 'user/bob adopt']);
    expect(rt.status('user/alice')?.phase).toBe('outOfSync');
  });

  it('coalesces triggers that arrive while busy into one follow-up pass', async () => {
    const { clock, sys, rt } = await setup({ latencyMs: 100 });
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(10);
    for (let i = 0; i < 5; i++) rt.reconcile('user/alice');
    await clock.advance(1000);
    // The first pass observes, creates and observes again to verify; the triggers make one more.
    expect(sys.callsOf('observe', 'alice')).toHaveLength(3);
    expect(sys.overlapped).toBe(false);
  });
});
