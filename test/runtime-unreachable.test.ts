import { describe, expect, it } from 'vitest';
import { createRuntime, defineProvider, type Runtime, UnreachableError } from '../src/index.js';
import { seededRandom, TestClock } from '../src/testing.js';
import { stopAfterEach } from './helpers/runtime-harness.js';

/**
 * A provider whose target goes away (a node offline) throws `UnreachableError`: the resources
 * say why, are tried slowly, never degrade for it, and are reconciled at once when the
 * provider's `watch` says the target is back. On a virtual clock, through the public API.
 */
const track = stopAfterEach();
type Obj = Record<string, unknown>;

/** One node's objects, reachable or not, with every call counted. */
function node(clock: TestClock) {
  const objects = new Map<string, Obj>();
  let online = true;
  let wake: ((names: readonly string[]) => void) | undefined;
  const calls = { observe: 0, create: 0 };
  const reach = () => {
    if (!online) throw new UnreachableError('node en1 did not answer', { reason: 'NodeUnreachable' });
  };
  const provider = defineProvider({
    kind: 'apps',
    async observe(r) {
      calls.observe++;
      reach();
      const o = objects.get(r.name);
      return o ? { ...o } : undefined;
    },
    async create(r) {
      calls.create++;
      reach();
      objects.set(r.name, { ...r.spec });
    },
    async update(r) {
      reach();
      objects.set(r.name, { ...r.spec });
    },
    async delete(_c, r) {
      reach();
      objects.delete(r.name);
    },
    watch(fn) {
      wake = fn;
      return () => {
        wake = undefined;
      };
    },
  });
  return {
    objects,
    calls,
    provider,
    clock,
    down() {
      online = false;
    },
    /** The node is back, with nothing running (it rebooted), and says so. */
    back(names: string[]) {
      online = true;
      objects.clear();
      wake?.(names);
    },
    get watched() {
      return wake !== undefined;
    },
  };
}

async function start(n: ReturnType<typeof node>, maxRetries = 3): Promise<Runtime> {
  const rt = createRuntime({
    providers: [n.provider],
    clock: n.clock,
    random: seededRandom(3),
    maxRetries,
    backoff: { baseMs: 1000, capMs: 60_000 },
    interval: 30_000,
  });
  track(rt, n.clock);
  await rt.start();
  return rt;
}

const ready = (rt: Runtime, key: string) => rt.status(key)?.conditions.find((c) => c.type === 'Ready');

describe('an unreachable target', () => {
  it('shows its reason, keeps its attempts, is not hammered, and is reconciled the moment it returns', async () => {
    const clock = new TestClock();
    const n = node(clock);
    const rt = await start(n);
    expect(n.watched).toBe(true);
    rt.setDesired([{ kind: 'apps', name: 'web', spec: { version: '1' } }]);
    await clock.advance(100);
    expect(ready(rt, 'apps/web')?.status).toBe(true);

    n.down();
    await clock.advance(40_000); // the next resync finds the node away
    expect(ready(rt, 'apps/web')).toMatchObject({ status: false, reason: 'NodeUnreachable' });
    const away = n.calls.observe;
    // An hour away: tried about once a backoff cap (60 s), never Degraded, attempts unchanged.
    await clock.advance(3_600_000);
    const tries = n.calls.observe - away;
    expect(tries).toBeGreaterThan(30);
    expect(tries).toBeLessThanOrEqual(61);
    const status = rt.status('apps/web');
    expect(status?.attempts).toBe(0);
    expect(status?.conditions.find((c) => c.type === 'Degraded')?.status).toBe(false);
    expect(status?.lastError).toContain('node en1 did not answer');

    // Back, with nothing running: installed again at once, not at the next try.
    n.back(['web']);
    await clock.advance(10);
    expect(n.objects.get('web')).toEqual({ version: '1' });
    expect(ready(rt, 'apps/web')?.status).toBe(true);
  });

  it("holds only the resources whose target is away: another's change goes ahead, and a wake is at once", async () => {
    const clock = new TestClock();
    const away = new Set<string>();
    const objects = new Map<string, Obj>();
    let wake: ((names: readonly string[]) => void) | undefined;
    // Each resource's spec names its node; the node provider's errors ask for a slow retry.
    const reach = (spec: Obj) => {
      const node = String(spec.node);
      if (away.has(node))
        throw new UnreachableError(`node ${node} did not answer`, {
          reason: 'NodeUnreachable',
          retryAfterMs: 30_000,
        });
    };
    const provider = defineProvider({
      kind: 'apps',
      async observe(r) {
        reach(r.spec);
        const o = objects.get(r.name);
        return o ? { ...o } : undefined;
      },
      async create(r) {
        reach(r.spec);
        objects.set(r.name, { ...r.spec });
      },
      async update(r) {
        reach(r.spec);
        objects.set(r.name, { ...r.spec });
      },
      async delete(_c, r) {
        objects.delete(r.name);
      },
      watch(fn) {
        wake = fn;
        return () => {
          wake = undefined;
        };
      },
    });
    const rt = createRuntime({
      providers: [provider],
      clock,
      random: seededRandom(3),
      backoff: { baseMs: 1000, capMs: 60_000 },
      interval: 5_000,
    });
    track(rt, clock);
    await rt.start();
    const a = { kind: 'apps', name: 'a', spec: { node: 'en1', version: '1' } };
    const b = { kind: 'apps', name: 'b', spec: { node: 'en2', version: '1' } };
    rt.setDesired([a, b]);
    await clock.advance(100);
    away.add('en1');
    await clock.advance(6_000); // a's next observe finds en1 away
    expect(ready(rt, 'apps/a')).toMatchObject({ status: false, reason: 'NodeUnreachable' });

    // en2 answers: a change to b is applied at once, not after a's 30 s.
    rt.setDesired([a, { ...b, spec: { node: 'en2', version: '2' } }]);
    await clock.advance(100);
    expect(objects.get('b')).toEqual({ node: 'en2', version: '2' });

    // en1 back with nothing running: a is installed again at once.
    away.delete('en1');
    objects.delete('a');
    wake?.(['a']);
    await clock.advance(100);
    expect(objects.get('a')).toEqual({ node: 'en1', version: '1' });
    expect(ready(rt, 'apps/a')?.status).toBe(true);
  });

  it('counts real failures as before: a node that answers with an error degrades after maxRetries', async () => {
    const clock = new TestClock();
    const n = node(clock);
    const failing = defineProvider({
      ...n.provider,
      async create() {
        throw new Error('install failed');
      },
    });
    const rt = createRuntime({
      providers: [failing],
      clock,
      random: seededRandom(3),
      maxRetries: 3,
      backoff: { baseMs: 1000, capMs: 60_000 },
    });
    track(rt, clock);
    await rt.start();
    rt.setDesired([{ kind: 'apps', name: 'web', spec: { version: '1' } }]);
    await clock.advance(600_000);
    const status = rt.status('apps/web');
    expect(status?.attempts).toBeGreaterThanOrEqual(3);
    expect(status?.conditions.find((c) => c.type === 'Degraded')).toMatchObject({
      status: true,
      reason: 'RetriesExhausted',
    });
  });

  it('stops listening to the provider when the runtime stops', async () => {
    const clock = new TestClock();
    const n = node(clock);
    const rt = await start(n);
    expect(n.watched).toBe(true);
    await rt.stop();
    expect(n.watched).toBe(false);
  });
});
