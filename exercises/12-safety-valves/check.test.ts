/**
 * The check for exercise 12. `npm run exercise -- 12` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 */
import fc from 'fast-check';
import { createNanoEvents } from 'nanoevents';
import { describe, expect, it } from 'vitest';
import { DeletionBudget as RuntimeBudget } from '../../src/runtime/deletion-budget.js';
import { resolveDeletionBudget } from '../../src/runtime/deletion-budget-options.js';
import type { RuntimeEvents } from '../../src/runtime/events.js';
import type { StateStore } from '../../src/store/index.js';
import type { Clock } from '../../src/time/clock.js';
import { holds } from '../check-helpers.js';

type Impl = typeof import('./solution.js');
const { DeletionBudget, HotLoopDetector }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);
type BudgetLimits = import('./solution.js').BudgetLimits;
type Deletion = import('./solution.js').Deletion;
type HotLoopLimits = import('./solution.js').HotLoopLimits;
type HotLoopState = import('./solution.js').HotLoopState;
type Pass = import('./solution.js').Pass;

// ---------------------------------------------------------------------------------------------
// Part 1: the deletion budget
// ---------------------------------------------------------------------------------------------

const HOUR = 3_600_000;
const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
const del = (key: string): Deletion => ({ key, decision: 'delete' });
const over = (key: string): Deletion => ({ key, decision: 'hold', reason: 'over-budget' });
const waiting = (key: string): Deletion => ({ key, decision: 'hold', reason: 'awaiting-approval' });

describe('DeletionBudget', () => {
  it('deletes up to the budget and holds the rest', () => {
    const budget = new DeletionBudget({ max: 5, fraction: 0, windowMs: HOUR });
    expect(
      budget.prune(0, keys('u', 9), 10),
      'the set shrank from 10 to 1: with a budget of 5, the first 5 go and the other 4 are held',
    ).toEqual([...keys('u', 5).map(del), ...['u6', 'u7', 'u8', 'u9'].map(over)]);
    expect(budget.held(), 'held() lists the held keys, in the order they were held').toEqual([
      'u6',
      'u7',
      'u8',
      'u9',
    ]);
  });

  it("counts deletes over a sliding window, not one that starts afresh on the clock's edge", () => {
    const budget = new DeletionBudget({ max: 5, fraction: 0, windowMs: 60_000 });
    expect(budget.prune(59_000, ['a', 'b', 'c', 'd', 'e'], 20)).toEqual(['a', 'b', 'c', 'd', 'e'].map(del));
    expect(
      budget.prune(61_000, ['f', 'g', 'h', 'i', 'j'], 15),
      '5 deletes at 59 s already used the budget of 5 per minute: 5 more at 61 s would be 10 within 2 s. ' +
        'Hint: count the deletes of the last windowMs, not those since the minute began',
    ).toEqual(['f', 'g', 'h', 'i', 'j'].map(over));
  });

  it('lets deletes go ahead again once the earlier ones have left the window', () => {
    const before = new DeletionBudget({ max: 2, fraction: 0, windowMs: 60_000 });
    before.prune(0, ['a', 'b'], 10);
    expect(before.prune(59_999, ['c'], 8), 'at 59.999 s the deletes at 0 s still count').toEqual([over('c')]);
    const after = new DeletionBudget({ max: 2, fraction: 0, windowMs: 60_000 });
    after.prune(0, ['a', 'b'], 10);
    expect(
      after.prune(60_000, ['c'], 8),
      'at 60 s the deletes at 0 s are exactly windowMs old: they have left the window (keep t > now - windowMs)',
    ).toEqual([del('c')]);
  });

  it('keeps a held delete held when the window moves on: only an approval lets it go', () => {
    const budget = new DeletionBudget({ max: 5, fraction: 0, windowMs: HOUR });
    budget.prune(0, keys('u', 9), 10);
    expect(
      budget.prune(2 * HOUR, ['u6', 'u7', 'u8', 'u9'], 5),
      'two hours later the budget is whole again, but a hold is a question to a person, and the passing ' +
        "of time is not an answer: the 4 stay held, with the reason 'awaiting-approval'",
    ).toEqual(['u6', 'u7', 'u8', 'u9'].map(waiting));
    expect(budget.held()).toEqual(['u6', 'u7', 'u8', 'u9']);
  });

  it('spends the budget only on deletes that went ahead, not on held ones', () => {
    const budget = new DeletionBudget({ max: 5, fraction: 0, windowMs: 60_000 });
    expect(budget.prune(0, ['a', 'b', 'c'], 20)).toEqual(['a', 'b', 'c'].map(del));
    expect(budget.prune(30_000, ['d', 'e', 'f', 'g'], 17)).toEqual([
      del('d'),
      del('e'),
      over('f'),
      over('g'),
    ]);
    expect(
      budget.prune(61_000, ['f', 'g', 'h', 'i', 'j'], 15),
      'at 61 s only d and e (at 30 s) are in the window: 2 of 5 spent, room for h, i and j. f and g were ' +
        'held, never deleted: they spent nothing, and they stay held until approved',
    ).toEqual([waiting('f'), waiting('g'), del('h'), del('i'), del('j')]);
  });

  it('takes the larger of max and fraction × managed, rounded down', () => {
    const limits = { max: 5, fraction: 0.1, windowMs: HOUR };
    const small = new DeletionBudget(limits);
    expect(
      small.prune(0, keys('s', 7), 8).filter((d) => d.decision === 'delete').length,
      '10 % of 8 managed is 0.8: a fraction alone would hold every delete of a small set; max (5) is more',
    ).toBe(5);
    const large = new DeletionBudget(limits);
    expect(
      large.prune(0, keys('l', 30), 200).filter((d) => d.decision === 'delete').length,
      '10 % of 200 managed is 20: a count alone (5) would stall any real cleanup of a large set',
    ).toBe(20);
    const rounded = new DeletionBudget({ max: 0, fraction: 0.1, windowMs: HOUR });
    expect(
      rounded.prune(0, keys('r', 10), 59).filter((d) => d.decision === 'delete').length,
      '10 % of 59 is 5.9: round down (Math.floor), a budget is never more than it says',
    ).toBe(5);
  });

  it('releases a held delete on approval, without spending the budget', () => {
    const budget = new DeletionBudget({ max: 2, fraction: 0, windowMs: 60_000 });
    expect(budget.prune(0, ['a', 'b', 'c'], 10)).toEqual([del('a'), del('b'), over('c')]);
    expect(
      budget.prune(30_000, ['c'], 8),
      "c was held at 0 s: it waits for approval ('awaiting-approval')",
    ).toEqual([waiting('c')]);
    expect(budget.approve(), 'approve() with no keys approves every held delete').toEqual(['c']);
    expect(budget.held()).toEqual([]);
    expect(
      budget.prune(60_000, ['d', 'e'], 9),
      'at 60 s the deletes of a and b have left the window. c went by approval, a decision of a person, ' +
        'not of the pace: it used no budget, so d and e both go',
    ).toEqual([del('d'), del('e')]);
  });

  it('approves only the held keys it is asked for', () => {
    const budget = new DeletionBudget({ max: 0, fraction: 0, windowMs: HOUR });
    expect(budget.prune(0, ['a', 'b', 'c'], 3), 'max 0 and fraction 0: every delete waits').toEqual(
      ['a', 'b', 'c'].map(over),
    );
    expect(budget.approve(['c', 'nope']), "'nope' was never held: approving it deletes nothing").toEqual([
      'c',
    ]);
    expect(budget.held()).toEqual(['a', 'b']);
    expect(budget.approve()).toEqual(['a', 'b']);
    expect(budget.held()).toEqual([]);
  });

  it('forgets the hold of a key that is desired again', () => {
    const budget = new DeletionBudget({ max: 1, fraction: 0, windowMs: HOUR });
    expect(budget.prune(0, ['a', 'b', 'c'], 10)).toEqual([del('a'), over('b'), over('c')]);
    expect(
      budget.prune(10, ['c'], 9),
      'b is not leaving any more (someone put it back in the desired set); c still is, and still waits for approval',
    ).toEqual([waiting('c')]);
    expect(
      budget.approve(),
      'b is desired again: approving every held delete must not delete it. Hint: a held key missing from leaving is desired again',
    ).toEqual(['c']);
  });
});

const universe = keys('k', 12);

/** The runtime's own budget, fed the same passes: one kind, every leaving key managed. */
function runtimeBudget(limits: BudgetLimits) {
  let now = 0;
  let managed = 0;
  const inventories = Array.from(
    { length: universe.length + 1 },
    (_, n) => new Map(Array.from({ length: n }, (_, i) => [`user/m${i}`, { kind: 'user' }])),
  );
  const clock: Clock = { now: () => now, setTimeout: () => undefined, clearTimeout: () => undefined };
  const store = {
    get: () => ({ kind: 'user' }),
    inventory: () => inventories[managed],
  } as unknown as StateStore;
  const budget = new RuntimeBudget(
    { deletionBudget: resolveDeletionBudget(limits), dryRun: false, prune: true, clock, store },
    createNanoEvents<RuntimeEvents>(),
  );
  const entries = new Map<string, { resource: { kind: string }; held: boolean }>();
  const entry = (key: string) => {
    let e = entries.get(key);
    if (e === undefined) {
      e = { resource: { kind: 'user' }, held: false };
      entries.set(key, e);
    }
    return e;
  };
  return {
    prune(at: number, leaving: readonly string[], count: number): Deletion[] {
      now = at;
      managed = count;
      for (const { key } of budget.list()) if (!leaving.includes(key)) budget.revive(key, entry(key));
      const before = new Set(leaving.filter((key) => budget.isHeld(key)));
      const go = new Set(
        budget
          .hold(
            leaving.map((key) => [key, entry(key)] as const),
            () => [],
          )
          .map(([k]) => k),
      );
      return leaving.map((key) => (go.has(key) ? del(key) : before.has(key) ? waiting(key) : over(key)));
    },
    approve(keys?: readonly string[]): string[] {
      return budget.take(keys).map((h) => h.key);
    },
  };
}

/** A new desired set, `gap` ms after the step before; or an approval of some held keys (or all). */
type BudgetStep =
  | { readonly type: 'desire'; readonly gap: number; readonly desired: readonly string[] }
  | { readonly type: 'approve'; readonly keys: readonly string[] | undefined };

const pick = (mask: number) => universe.filter((_, i) => mask & (1 << i));
// Plain numbers, mapped: a record of `oneof`s takes several times as long to draw.
const budgetStep: fc.Arbitrary<BudgetStep> = fc
  .tuple(fc.nat(9), fc.nat(12_000), fc.nat(4095))
  .map(([n, ms, mask]): BudgetStep => {
    if (n === 0) return { type: 'approve', keys: ms < 4000 ? undefined : pick(mask) };
    // Gaps that land exactly on a window's edge, often enough to matter.
    return { type: 'desire', gap: n <= 4 ? [0, 1000, 5000, 10_000][n - 1]! : ms, desired: pick(mask) };
  });
const budgetLimits = (fraction: fc.Arbitrary<number>) =>
  fc.record({
    max: fc.integer({ min: 0, max: 4 }),
    fraction,
    windowMs: fc.constantFrom(0, 1000, 10_000),
  });
const fractions = fc.constantFrom(0, 0.1, 0.25, 0.5);

interface Prune {
  readonly at: number;
  readonly leaving: readonly string[];
  readonly managed: number;
  readonly decisions: readonly Deletion[];
  /** The keys held before this prune. */
  readonly heldBefore: ReadonlySet<string>;
}

/**
 * Run `steps` against a budget: 12 keys, all desired and managed at first; each `desire` step
 * makes a new desired set (what leaves is pruned, what arrives is created), each `approve` step
 * approves some held deletes (or all). `onPrune` and `onApprove` see each decision.
 */
function simulate(
  budget: Pick<InstanceType<typeof DeletionBudget>, 'prune' | 'approve'>,
  steps: readonly BudgetStep[],
  onPrune: (p: Prune) => void,
  onApprove: (
    asked: readonly string[] | undefined,
    released: readonly string[],
    held: ReadonlySet<string>,
  ) => void,
): void {
  const managed = new Set(universe);
  let held = new Set<string>();
  let at = 0;
  for (const step of steps) {
    if (step.type === 'approve') {
      const asked = step.keys;
      const released = budget.approve(asked);
      onApprove(asked, released, held);
      for (const key of released) {
        managed.delete(key);
        held.delete(key);
      }
      continue;
    }
    at += step.gap;
    const desired = new Set(step.desired);
    const leaving = universe.filter((key) => managed.has(key) && !desired.has(key));
    const decisions = budget.prune(at, leaving, managed.size);
    onPrune({ at, leaving, managed: managed.size, decisions, heldBefore: held });
    held = new Set(decisions.filter((d) => d.decision === 'hold').map((d) => d.key));
    for (const d of decisions) if (d.decision === 'delete') managed.delete(d.key);
    for (const key of desired) managed.add(key);
  }
}

const limitOf = (l: BudgetLimits, managed: number) => Math.max(l.max, Math.floor(l.fraction * managed));
const deletesOf = (decisions: readonly Deletion[]) => decisions.filter((d) => d.decision === 'delete').length;
const ignore = () => {};

/**
 * `expect(actual, message()).toEqual(wanted)`, built only when the two differ: a property compares
 * thousands of values, and an assertion is slow next to a comparison.
 */
function agree(actual: unknown, wanted: unknown, message: () => string): void {
  if (JSON.stringify(actual) !== JSON.stringify(wanted)) expect(actual, message()).toEqual(wanted);
}

describe('DeletionBudget, on 1,000 random streams of desired sets and approvals', () => {
  it('never lets more than max deletes go ahead in any windowMs (fraction 0)', () => {
    holds(
      'for these limits and steps (a new desired set, or an approval), too many deletes went ahead',
      fc.property(budgetLimits(fc.constant(0)), fc.array(budgetStep, { maxLength: 20 }), (limits, steps) => {
        const done: number[] = [];
        simulate(
          new DeletionBudget(limits),
          steps,
          ({ at, decisions }) => {
            // A window of 0 counts each prune on its own.
            const inWindow = done.filter((t) => t > at - limits.windowMs).length + deletesOf(decisions);
            for (let i = 0; i < deletesOf(decisions); i++) done.push(at);
            if (inWindow > limits.max) {
              expect(
                inWindow,
                `at ${at} ms, ${inWindow} deletes went ahead within the last windowMs (${limits.windowMs})`,
              ).toBeLessThanOrEqual(limits.max);
            }
          },
          ignore,
        );
      }),
    );
  });

  it('holds a new delete only when the budget has no room left, and a held one until it is approved', () => {
    holds(
      'for these limits and steps (a new desired set, or an approval), a prune or an approval broke a rule; the line below says which',
      fc.property(budgetLimits(fractions), fc.array(budgetStep, { maxLength: 20 }), (limits, steps) => {
        const done: { at: number; n: number }[] = [];
        simulate(
          new DeletionBudget(limits),
          steps,
          ({ at, leaving, managed, decisions, heldBefore }) => {
            for (const d of decisions) {
              agree(
                d,
                heldBefore.has(d.key) ? waiting(d.key) : d.decision === 'delete' ? del(d.key) : over(d.key),
                () =>
                  heldBefore.has(d.key)
                    ? `at ${at} ms: ${d.key} was held, and nobody approved it: it still waits`
                    : `at ${at} ms: ${d.key} was not held: it is deleted, or held over the budget`,
              );
            }
            const spent = done.filter((d) => d.at > at - limits.windowMs).reduce((n, d) => n + d.n, 0);
            const room = Math.max(0, limitOf(limits, managed) - spent);
            const fresh = leaving.filter((key) => !heldBefore.has(key)).length;
            agree(
              deletesOf(decisions),
              Math.min(fresh, room),
              () =>
                `at ${at} ms: ${fresh} new deletes, ${managed} managed, a budget of ${limitOf(limits, managed)} ` +
                `with ${spent} spent in the window: that many go ahead`,
            );
            done.push({ at, n: deletesOf(decisions) });
          },
          (asked, released, held) => {
            agree([...released].sort(), (asked ?? [...held]).filter((key) => held.has(key)).sort(), () =>
              asked === undefined
                ? 'approve() releases every held key'
                : `approve(${JSON.stringify(asked)}) releases those of them that are held`,
            );
          },
        );
      }),
    );
  });

  it("agrees with setpoint's own deletion budget, prune by prune", () => {
    holds(
      'for these limits and steps (a new desired set, or an approval), your decisions differ from the runtime',
      fc.property(budgetLimits(fractions), fc.array(budgetStep, { maxLength: 20 }), (limits, steps) => {
        const mine = new DeletionBudget(limits);
        const theirs = runtimeBudget(limits);
        let last: Deletion[] = [];
        simulate(
          {
            prune(at, leaving, managed) {
              last = mine.prune(at, leaving, managed);
              return theirs.prune(at, leaving, managed);
            },
            approve(asked) {
              const released = theirs.approve(asked);
              agree(
                [...mine.approve(asked)].sort(),
                [...released].sort(),
                () => `approve(${JSON.stringify(asked)})`,
              );
              return released;
            },
          },
          steps,
          ({ at, leaving, managed, decisions }) => {
            agree(
              last,
              decisions,
              () => `the prune at ${at} ms of ${JSON.stringify(leaving)}, ${managed} managed`,
            );
          },
          ignore,
        );
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Part 2: hot-loop detection
// ---------------------------------------------------------------------------------------------

const DEFAULTS: HotLoopLimits = { corrections: 5, windowMs: 600_000, quietMs: 60_000 };
const pass = (key: string, at: number, generation: number, ...changed: string[]): Pass => ({
  key,
  at,
  generation,
  changed,
});

/** Feed `passes` to a fresh detector; the state after each. */
function states(passes: readonly Pass[], limits = DEFAULTS): HotLoopState[] {
  const detector = new HotLoopDetector(limits);
  return passes.map((p) => detector.pass(p));
}
const hotOf = (s: readonly HotLoopState[]) => s.map((x) => x.hot);

/** db at generation 1: the change at 0 s, then `n` corrections of `owner`, 10 s apart. */
const fight = (n: number, key = 'db', generation = 1, from = 0): Pass[] => [
  pass(key, from, generation, 'owner'),
  ...Array.from({ length: n }, (_, i) => pass(key, from + (i + 1) * 10_000, generation, 'owner')),
];

describe('HotLoopDetector', () => {
  it('flags a resource corrected 5 times within the window, naming the fields that keep changing', () => {
    const s = states([
      pass('db', 0, 1, 'owner', 'size'),
      pass('db', 10_000, 1, 'owner'),
      pass('db', 20_000, 1, 'owner'),
      pass('db', 30_000, 1, 'owner', 'mode'),
      pass('db', 40_000, 1, 'owner'),
      pass('db', 50_000, 1, 'owner'),
    ]);
    expect(hotOf(s), 'the change at 0 s, then 5 corrections at one generation: hot at the 5th').toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(
      s.at(-1)!.fields,
      "the fields the corrections changed, each once, in the order first seen ('size' changed only with the change itself)",
    ).toEqual(['owner', 'mode']);
  });

  it('counts the corrections, not the change that started them', () => {
    expect(
      hotOf(states(fight(4))),
      'the first change at a generation is the change itself: 1 change and 4 corrections is not yet 5 corrections',
    ).toEqual([false, false, false, false, false]);
  });

  it('never flags a resource whose spec the user keeps editing', () => {
    const edits = Array.from({ length: 20 }, (_, i) => pass('web', i * 10_000, i + 1, 'replicas'));
    expect(
      hotOf(states(edits)).filter(Boolean).length,
      'each pass applied a new generation: the user edited the spec 20 times, and nobody fought the runtime. ' +
        'Hint: a correction is a change at a generation that was already applied',
    ).toBe(0);
  });

  it('does not flag a slow fight: only the corrections of the last windowMs count', () => {
    const slow = [
      pass('db', 0, 1, 'owner'),
      ...Array.from({ length: 40 }, (_, i) => pass('db', (i + 1) * 150_000, 1, 'owner')),
    ];
    expect(
      hotOf(states(slow)).filter(Boolean).length,
      'a correction every 150 s puts 4 in any 600 s window (the one exactly 600 s ago has left): never 5',
    ).toBe(0);
  });

  it('stays hot while the fight goes on, even through a pass in sync', () => {
    const passes = fight(5);
    for (let i = 1; i <= 6; i++) {
      passes.push(pass('db', 50_000 + i * 10_000, 1, ...(i % 2 === 0 ? ['owner'] : [])));
    }
    expect(
      hotOf(states(passes)).slice(5),
      'the other writer acts every other pass: a pass in sync 10 s after a correction is not quiet (quietMs is 60 s)',
    ).toEqual([true, true, true, true, true, true, true]);
  });

  it('clears after quietMs in sync, and counts the next fight from zero', () => {
    const passes = [
      ...fight(5), // hot at 50 s
      pass('db', 60_000, 1),
      pass('db', 109_999, 1),
      pass('db', 110_000, 1),
      pass('db', 120_000, 1, 'owner'),
    ];
    const s = states(passes);
    expect(
      hotOf(s.slice(6, 9)),
      'the last correction was at 50 s: in sync at 110 s is 60 s of quiet',
    ).toEqual([true, true, false]);
    expect(s[8]!.fields, 'no fields once it is over').toEqual([]);
    expect(
      s[9]!.hot,
      'a correction after the loop ended starts a new count: 1, not the 6th (forget the corrections of the old loop)',
    ).toBe(false);
  });

  it('ends a hot loop when the spec changes, and counts the new generation afresh', () => {
    const passes = [...fight(5), ...fight(5, 'db', 2, 100_000)];
    expect(
      hotOf(states(passes)).slice(5),
      'at 100 s the user applies generation 2: its change is not a correction, and its count starts at 0',
    ).toEqual([true, false, false, false, false, false, true]);
  });

  it('keeps each resource to itself', () => {
    const db = fight(8);
    const passes = db.flatMap((p, i) => [
      p,
      pass('web', p.at + 1, 1, ...(i === 0 || i === 4 ? ['image'] : [])),
      pass('cache', p.at + 2, 1),
    ]);
    const s = states(passes);
    const hotKeys = new Set(passes.filter((_, i) => s[i]!.hot).map((p) => p.key));
    expect([...hotKeys], 'only db is fought over: web was corrected once, cache never').toEqual(['db']);
  });
});

const fieldNames = ['owner', 'mode', 'size'];
interface HotStep {
  readonly key: 'a' | 'b';
  readonly gap: number;
  readonly edit: boolean;
  readonly changed: readonly string[];
}
const hotStep: fc.Arbitrary<HotStep> = fc.record({
  key: fc.constantFrom('a' as const, 'b' as const),
  gap: fc.oneof(fc.constantFrom(0, 10_000, 30_000, 60_000), fc.integer({ min: 0, max: 90_000 })),
  edit: fc.integer({ min: 0, max: 5 }).map((n) => n === 0),
  changed: fc.oneof(fc.constant([]), fc.subarray(fieldNames, { minLength: 1 })),
});
const hotLimits: fc.Arbitrary<HotLoopLimits> = fc.record({
  corrections: fc.integer({ min: 1, max: 5 }),
  windowMs: fc.constantFrom(30_000, 120_000),
  quietMs: fc.constantFrom(0, 10_000, 60_000),
});

/** Passes from steps: a shared clock, a generation per key that goes up on an edit. */
function passesOf(steps: readonly HotStep[]): Pass[] {
  const generation = { a: 1, b: 1 };
  let at = 0;
  return steps.map((s) => {
    at += s.gap;
    if (s.edit) generation[s.key]++;
    return { key: s.key, at, generation: generation[s.key], changed: s.changed };
  });
}

/** The rules of the README, written out: the state after each pass. */
function expected(
  limits: HotLoopLimits,
  passes: readonly Pass[],
): (HotLoopState & { readonly counted: number })[] {
  const tracks = new Map<
    string,
    { generation: number; applied: boolean; window: Pass[]; hot: boolean; fields: string[]; lastAt: number }
  >();
  return passes.map((p) => {
    let t = tracks.get(p.key);
    if (t === undefined || t.generation !== p.generation) {
      t = { generation: p.generation, applied: false, window: [], hot: false, fields: [], lastAt: 0 };
      tracks.set(p.key, t);
    }
    if (p.changed.length === 0) {
      if (t.hot && p.at - t.lastAt >= limits.quietMs)
        Object.assign(t, { hot: false, fields: [], window: [] });
    } else if (!t.applied) t.applied = true;
    else {
      t.lastAt = p.at;
      t.window = [...t.window.filter((c) => c.at > p.at - limits.windowMs), p];
      if (t.hot || t.window.length >= limits.corrections) {
        const from = t.hot ? [p] : t.window;
        t.hot = true;
        for (const c of from) for (const f of c.changed) if (!t.fields.includes(f)) t.fields.push(f);
      }
    }
    const counted = t.window.filter((c) => c.at > p.at - limits.windowMs).length;
    return { hot: t.hot, fields: [...t.fields], counted };
  });
}

const show = (p: Pass) => `${p.key}@${p.at} gen ${p.generation} [${p.changed.join(', ')}]`;

describe('HotLoopDetector, on 1,000 random streams of passes over two resources', () => {
  it('raises the flag exactly when `corrections` corrections at one generation fall within windowMs', () => {
    holds(
      'for these limits and passes (key, gap since the last pass, edited the spec?, fields changed), the flag is wrong',
      fc.property(hotLimits, fc.array(hotStep, { maxLength: 30 }), (limits, steps) => {
        const passes = passesOf(steps);
        const want = expected(limits, passes);
        const got = states(passes, limits);
        passes.forEach((p, i) => {
          agree(
            got[i]!.hot,
            want[i]!.hot,
            () =>
              `after pass ${i} (${show(p)}): ${want[i]!.counted} correction(s) of ${p.key} within windowMs, ` +
              'counted since its spec last changed or its last hot loop ended',
          );
        });
      }),
    );
  });

  it('never flags a resource whose spec changed at every pass', () => {
    holds(
      'for these limits and passes, a resource the user edited at every pass was flagged',
      fc.property(hotLimits, fc.array(hotStep, { maxLength: 30 }), (limits, steps) => {
        const passes = passesOf(steps.map((s) => ({ ...s, edit: true })));
        const got = states(passes, limits);
        passes.forEach((p, i) => {
          agree(
            got[i]!.hot,
            false,
            () => `pass ${i} (${show(p)}) applied a new generation: not a correction`,
          );
        });
      }),
    );
  });

  it('ends a hot loop only on a new spec or after quietMs in sync, and always then', () => {
    holds(
      'for these limits and passes, a hot loop ended too soon, or did not end when it should',
      fc.property(hotLimits, fc.array(hotStep, { maxLength: 30 }), (limits, steps) => {
        const passes = passesOf(steps);
        const got = states(passes, limits);
        const last = new Map<string, { hot: boolean; generation: number; lastCorrection?: number }>();
        passes.forEach((p, i) => {
          const before = last.get(p.key);
          if (before?.hot && before.generation !== p.generation) {
            agree(
              got[i]!.hot,
              false,
              () => `pass ${i} (${show(p)}) is at a new generation: the spec changed, over`,
            );
          } else if (before?.hot) {
            const since = before.lastCorrection === undefined ? undefined : p.at - before.lastCorrection;
            const quiet = p.changed.length === 0 && (since === undefined || since >= limits.quietMs);
            agree(got[i]!.hot, !quiet, () =>
              !quiet
                ? `pass ${i} (${show(p)}): not quiet for quietMs (${limits.quietMs}) yet`
                : since === undefined
                  ? `pass ${i} (${show(p)}) is in sync, and nothing was corrected at this generation: over`
                  : `pass ${i} (${show(p)}) is in sync ${since} ms after the last correction: over`,
            );
          }
          const corrected = before?.generation === p.generation && p.changed.length > 0;
          last.set(p.key, {
            hot: got[i]!.hot,
            generation: p.generation,
            lastCorrection: corrected
              ? p.at
              : before?.generation === p.generation
                ? before.lastCorrection
                : undefined,
          });
        });
      }),
    );
  });

  it("keeps each resource to itself: another's passes change nothing", () => {
    holds(
      "for these limits and passes, a's states differ when b's passes are left out",
      fc.property(hotLimits, fc.array(hotStep, { maxLength: 30 }), (limits, steps) => {
        const passes = passesOf(steps);
        const mixed = states(passes, limits).filter((_, i) => passes[i]!.key === 'a');
        const alone = states(
          passes.filter((p) => p.key === 'a'),
          limits,
        );
        agree(mixed, alone, () => "a's states, with b's passes and without");
      }),
    );
  });

  it('names the fields the corrections changed, each once, in the order first seen', () => {
    holds(
      'for these limits and passes, the fields of a hot loop are wrong',
      fc.property(hotLimits, fc.array(hotStep, { maxLength: 30 }), (limits, steps) => {
        const passes = passesOf(steps);
        const want = expected(limits, passes);
        const got = states(passes, limits);
        passes.forEach((p, i) => {
          agree(got[i], { hot: want[i]!.hot, fields: want[i]!.fields }, () => `after pass ${i} (${show(p)})`);
        });
      }),
    );
  });
});
