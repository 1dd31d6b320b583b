/**
 * The check for exercise 05. `npm run exercise -- 05` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { holds } from '../check-helpers.js';

type Impl = typeof import('./solution.js');
const { DriftDetector }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);
type DriftPolicy = import('./solution.js').DriftPolicy;

const NOTHING = { drift: false, report: false, apply: false };
const CHANGE = { drift: false, report: false, apply: true };
const admin = { role: 'admin' };
const root = { role: 'root' };

describe('DriftDetector', () => {
  it('creates a new resource without calling it drift', () => {
    const d = new DriftDetector('enforce');
    expect(
      d.check('alice', admin, 1, undefined),
      'alice was never synced: creating her is a change, not drift',
    ).toEqual(CHANGE);
  });

  it('does nothing for a resource in sync, even with fields the server set', () => {
    const d = new DriftDetector('enforce');
    d.synced('alice', 1);
    expect(
      d.check('alice', admin, 1, { role: 'admin', uid: 1001 }),
      'uid is set by the server and not in the spec: that is no difference. Hint: compare the fields of desired only',
    ).toEqual(NOTHING);
  });

  it('calls a difference at a new generation a change, not drift', () => {
    const d = new DriftDetector('enforce');
    d.synced('alice', 1);
    expect(
      d.check('alice', { role: 'guest' }, 2, admin),
      'the desired spec changed (generation 2): applying it is an ordinary update. Hint: remember the synced generation',
    ).toEqual(CHANGE);
  });

  it('calls a difference at the synced generation drift, reports it, and enforces', () => {
    const d = new DriftDetector('enforce');
    d.synced('alice', 1);
    expect(
      d.check('alice', admin, 1, root),
      'alice was synced at generation 1 and someone edited her',
    ).toEqual({
      drift: true,
      report: true,
      apply: true,
    });
  });

  it('treats a synced resource deleted by hand as drift', () => {
    const d = new DriftDetector('enforce');
    d.synced('alice', 1);
    expect(d.check('alice', admin, 1, undefined)).toEqual({ drift: true, report: true, apply: true });
  });

  it('reports a drift once, not on every tick', () => {
    const d = new DriftDetector('alert');
    d.synced('bob', 1);
    const ticks = [1, 2, 3].map(() => d.check('bob', admin, 1, root));
    expect(
      ticks.map((x) => x.report),
      'the same drift, seen on three ticks, is one event: report only the first. Hint: remember what you reported',
    ).toEqual([true, false, false]);
    expect(ticks.every((x) => x.drift)).toBe(true);
  });

  it('reports a new drift again once the last one is over', () => {
    const d = new DriftDetector('alert');
    d.synced('bob', 1);
    d.check('bob', admin, 1, root);
    expect(d.check('bob', admin, 1, admin), 'fixed by hand: in sync again').toEqual(NOTHING);
    expect(
      d.check('bob', admin, 1, { role: 'guest' }).report,
      'a new drift after a return to sync is a new episode: report it',
    ).toBe(true);
  });

  it('starts a new episode after the runtime brings the resource back in sync', () => {
    const d = new DriftDetector('enforce');
    d.synced('alice', 1);
    d.check('alice', admin, 1, root); // drift, enforced...
    d.synced('alice', 1); // ...and applied
    expect(d.check('alice', admin, 1, root).report).toBe(true);
  });

  it('only reports under alert and ignore, and applies nothing', () => {
    for (const policy of ['alert', 'ignore'] as const) {
      const d = new DriftDetector(policy);
      d.synced('carol', 1);
      expect(d.check('carol', admin, 1, root), `policy ${policy}: drift is reported, never applied`).toEqual({
        drift: true,
        report: true,
        apply: false,
      });
    }
  });

  it('still applies new specs under alert: the policy is about drift only', () => {
    const d = new DriftDetector('alert');
    d.synced('bob', 1);
    expect(d.check('bob', { role: 'ops' }, 2, admin)).toEqual(CHANGE);
  });

  it('keeps each key to itself', () => {
    const d = new DriftDetector('alert');
    d.synced('a', 1);
    d.synced('b', 1);
    expect(d.check('a', admin, 1, root).report).toBe(true);
    expect(d.check('b', admin, 1, root).report, "a's drift says nothing about b's").toBe(true);
  });
});

type Step =
  | { type: 'observe'; key: string; value: string | undefined; extra: boolean }
  | { type: 'synced'; key: string }
  | { type: 'new-spec'; key: string; value: string };

const keys = fc.constantFrom('a', 'b');
const values = fc.constantFrom('x', 'y');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    type: fc.constant('observe' as const),
    key: keys,
    value: fc.option(values, { nil: undefined }),
    extra: fc.boolean(),
  }),
  fc.record({ type: fc.constant('synced' as const), key: keys }),
  fc.record({ type: fc.constant('new-spec' as const), key: keys, value: values }),
);

describe('DriftDetector, on 1,000 random histories', () => {
  it('keeps the rules: drift only after sync, one report per episode, apply as the policy says', () => {
    holds(
      'in this history (policy, then steps) a decision broke a rule; the line below says which',
      fc.property(
        fc.constantFrom<DriftPolicy>('enforce', 'alert', 'ignore'),
        fc.array(step, { maxLength: 30 }),
        (policy, steps) => {
          const d = new DriftDetector(policy);
          const spec = new Map<string, { value: string; generation: number }>();
          const synced = new Map<string, number>();
          const reportedSinceSync = new Map<string, boolean>();
          for (const s of steps) {
            const current = spec.get(s.key) ?? { value: 'x', generation: 1 };
            if (s.type === 'new-spec') {
              spec.set(s.key, { value: s.value, generation: current.generation + 1 });
            } else if (s.type === 'synced') {
              d.synced(s.key, current.generation);
              synced.set(s.key, current.generation);
              reportedSinceSync.set(s.key, false);
            } else {
              const observed =
                s.value === undefined ? undefined : { role: s.value, ...(s.extra ? { uid: 7 } : {}) };
              const inSync = observed !== undefined && observed.role === current.value;
              const decision = d.check(s.key, { role: current.value }, current.generation, observed);
              if (inSync) {
                expect(decision, 'in sync: nothing to do').toEqual(NOTHING);
                reportedSinceSync.set(s.key, false);
                continue;
              }
              const isDrift = synced.get(s.key) === current.generation;
              expect(
                decision.drift,
                isDrift
                  ? 'a difference at the synced generation is drift'
                  : 'not synced at this generation: not drift',
              ).toBe(isDrift);
              expect(decision.apply, 'apply new specs always; drift only under enforce').toBe(
                !isDrift || policy === 'enforce',
              );
              if (isDrift) {
                expect(decision.report, 'report a drift once per episode').toBe(
                  !reportedSinceSync.get(s.key),
                );
                reportedSinceSync.set(s.key, true);
              } else {
                expect(decision.report, 'never report what is not drift').toBe(false);
              }
            }
          }
        },
      ),
    );
  });
});
