/**
 * The check for exercise 08. `npm run exercise -- 08` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 *
 * The last part runs two real runtimes on one `TestClock`, against one memory provider whose
 * calls take 200 ms, each reconciling only the keys your leases give it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRuntime, type Resource, type Runtime, TestClock } from '../../src/index.js';
import { memoryProvider, seededRandom } from '../../src/testing.js';
import type { TimerHandle } from '../../src/time/clock.js';
import { holds } from '../check-helpers.js';

type Impl = typeof import('./solution.js');
const { LeaseTable, claimRound, heartbeat, homeOf }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);

describe('LeaseTable', () => {
  it('gives a free lease to whoever asks first', () => {
    const t = new LeaseTable(3000);
    expect(t.holder('k', 0), 'nobody has taken k yet').toBeUndefined();
    expect(t.acquire('k', 'a', 0)).toBe(true);
    expect(t.holder('k', 1000)).toBe('a');
  });

  it('never hands a live lease to someone else', () => {
    const t = new LeaseTable(3000);
    t.acquire('k', 'a', 0);
    expect(
      t.acquire('k', 'b', 2999),
      "a's lease runs until 3000: b must wait. Hint: check the holder first",
    ).toBe(false);
    expect(t.holder('k', 2999), 'a failed acquire must not change the holder').toBe('a');
  });

  it('lets the holder renew, which moves the expiry', () => {
    const t = new LeaseTable(3000);
    t.acquire('k', 'a', 0);
    expect(t.acquire('k', 'a', 2000), 'a renews its own lease').toBe(true);
    expect(t.holder('k', 4000), 'renewed at 2000, the lease runs until 5000').toBe('a');
    expect(t.acquire('k', 'b', 4000)).toBe(false);
  });

  it('expires a lease that is not renewed within its time to live', () => {
    const t = new LeaseTable(3000);
    t.acquire('k', 'a', 0);
    expect(
      t.holder('k', 3000),
      'taken at 0 with a ttl of 3000: gone at 3000. Hint: compare now with an expiry time',
    ).toBeUndefined();
    expect(t.acquire('k', 'b', 3000), 'an expired lease is free for anyone').toBe(true);
    expect(t.holder('k', 3000)).toBe('b');
  });

  it('lets only the holder release a lease', () => {
    const t = new LeaseTable(3000);
    t.acquire('k', 'a', 0);
    t.release('k', 'b');
    expect(t.holder('k', 10), 'b does not hold k: its release changes nothing').toBe('a');
    t.release('k', 'a');
    expect(t.holder('k', 10), 'a released k: nobody holds it').toBeUndefined();
    expect(t.acquire('k', 'b', 10)).toBe(true);
  });

  it('keeps at most one holder per key, whatever happens (1,000 random histories)', () => {
    const op = fc.record({
      kind: fc.constantFrom('acquire', 'release'),
      key: fc.constantFrom('x', 'y'),
      who: fc.constantFrom('a', 'b', 'c'),
      gap: fc.integer({ min: 0, max: 2000 }),
    });
    holds(
      'in this history (kind, key, who, ms since the last step) a lease broke a rule; the line below says which',
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const t = new LeaseTable(3000);
        const last = new Map<string, { who: string; at: number }>(); // the model: last successful acquire
        let now = 0;
        for (const o of ops) {
          now += o.gap;
          const held = last.get(o.key);
          const live = held !== undefined && now < held.at + 3000 ? held.who : undefined;
          expect(t.holder(o.key, now), `holder of ${o.key} at ${now}`).toBe(live);
          if (o.kind === 'acquire') {
            const ok = t.acquire(o.key, o.who, now);
            expect(ok, `${o.who} acquiring ${o.key} at ${now} (held by ${live ?? 'nobody'})`).toBe(
              live === undefined || live === o.who,
            );
            if (ok) last.set(o.key, { who: o.who, at: now });
          } else {
            t.release(o.key, o.who);
            if (live === o.who) last.delete(o.key);
          }
        }
      }),
    );
  });
});

const ITEMS = Array.from({ length: 12 }, (_, i) => `item-${String(i + 1).padStart(2, '0')}`);
const home = (id: string) => ITEMS.filter((k) => homeOf(k, ['a', 'b']) === id);

describe('claimRound', () => {
  it('renews its heartbeat and takes its own keys, and only those, while the other instance is up', () => {
    const t = new LeaseTable(3000);
    t.acquire(heartbeat('b'), 'b', 0); // b is up
    expect(
      claimRound(t, 'a', ['a', 'b'], ITEMS, 0),
      "b is up: a takes its own keys and leaves b's alone",
    ).toEqual(home('a'));
    expect(t.holder(heartbeat('a'), 0), 'each round of a takes or renews the lease instance/a').toBe('a');
    expect(
      claimRound(t, 'b', ['a', 'b'], ITEMS, 0),
      "a is up: b takes its own keys and leaves a's alone",
    ).toEqual(home('b'));
  });

  it('covers for an instance that is down', () => {
    const t = new LeaseTable(3000);
    expect(claimRound(t, 'a', ['a', 'b'], ITEMS, 0), 'b has no heartbeat: a takes every key').toEqual(ITEMS);
  });

  it('hands keys back once their instance is up again', () => {
    const t = new LeaseTable(3000);
    claimRound(t, 'a', ['a', 'b'], ITEMS, 0); // b is down: a holds everything
    claimRound(t, 'b', ['a', 'b'], ITEMS, 500); // b is back: its heartbeat is live, its keys are still a's
    expect(claimRound(t, 'a', ['a', 'b'], ITEMS, 1000), "b is up again: a releases b's keys").toEqual(
      home('a'),
    );
    expect(claimRound(t, 'b', ['a', 'b'], ITEMS, 1500), 'and b takes them on its next round').toEqual(
      home('b'),
    );
  });
});

/** Two instances, each a runtime that reconciles the keys it holds a lease on. */
function cluster() {
  const clock = new TestClock();
  const table = new LeaseTable(3000);
  const world = memoryProvider({ kind: 'item', clock, random: seededRandom(8), faults: { latencyMs: 200 } });
  const desired: Resource[] = ITEMS.map((name) => ({ kind: 'item', name, spec: { size: 1 } }));
  const violations: string[] = [];
  const live = new Map<string, { rt: Runtime; timer: TimerHandle | undefined }>();

  async function up(id: string): Promise<void> {
    // prune: false: a key handed to another instance is released, never deleted.
    const rt = createRuntime({
      providers: [world],
      clock,
      random: seededRandom(id.charCodeAt(0)),
      prune: false,
      interval: 2000,
    });
    rt.on('reconcile:start', (e) => {
      const holder = table.holder(e.name, clock.now());
      if (holder !== id)
        violations.push(
          `${id} reconciled ${e.name} at ${Math.round(clock.now())} ms, but the lease was ${holder ?? 'nobody'}'s`,
        );
    });
    await rt.start();
    const entry: { rt: Runtime; timer: TimerHandle | undefined } = { rt, timer: undefined };
    live.set(id, entry);
    const round = () => {
      const owned = new Set(claimRound(table, id, ['a', 'b'], ITEMS, clock.now()));
      rt.setDesired(desired.filter((r) => owned.has(r.name)));
      entry.timer = clock.setTimeout(round, 1000);
    };
    round();
  }

  async function down(id: string): Promise<void> {
    const entry = live.get(id)!;
    live.delete(id);
    clock.clearTimeout(entry.timer);
    const stopped = entry.rt.stop(); // its leases are simply never renewed again
    await clock.advance(1000);
    await stopped;
  }

  const holders = () => Object.fromEntries(ITEMS.map((k) => [k, table.holder(k, clock.now()) ?? '-']));
  return { clock, world, violations, up, down, holders };
}

const report = (violations: string[]) =>
  `${violations.length} reconcile pass(es) ran without the lease, first: ${violations.slice(0, 3).join('; ')}. ` +
  'Hint: a key must have exactly one holder at a time; check acquire and expiry';

describe('two runtimes sharing the work through leases', () => {
  it('split the keys, take over from an instance that dies, and hand back when it returns, never both at once', async () => {
    const c = cluster();
    const expected = (ids: Record<string, string>) =>
      Object.fromEntries(ITEMS.map((k) => [k, ids[homeOf(k, ['a', 'b'])]!]));
    await c.up('a');
    await c.up('b');
    await c.clock.advance(5000);
    expect(c.violations, report(c.violations)).toEqual([]);
    expect([...c.world.store.keys()].sort(), 'every item is created within 5 s').toEqual(ITEMS);
    expect(c.holders(), 'while both are up, each holds the keys whose home it is').toEqual(
      expected({ a: 'a', b: 'b' }),
    );

    await c.down('a');
    await c.clock.advance(6000);
    expect(c.holders(), "a is gone: its leases expire and b takes a's keys").toEqual(
      expected({ a: 'b', b: 'b' }),
    );
    const orphan = home('a')[0]!;
    c.world.mutate(orphan, (spec) => ({ ...spec, size: 99 }));
    await c.clock.advance(4000);
    expect(
      c.world.store.get(orphan),
      `${orphan} drifted after a died: b, its new holder, corrects it`,
    ).toMatchObject({ size: 1 });

    await c.up('a');
    await c.clock.advance(5000);
    expect(c.holders(), 'a is back: b hands its keys back').toEqual(expected({ a: 'a', b: 'b' }));
    await c.down('a');
    await c.down('b');
    expect(c.violations, report(c.violations)).toEqual([]);
    expect(
      c.world.overlaps,
      'two calls for one item ran at the same time: two instances reconciled it at once',
    ).toBe(0);
    expect(
      [...c.world.store.keys()].sort(),
      'nothing was deleted on the way: keys are released, not pruned',
    ).toEqual(ITEMS);
  });
});
