import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PermanentError, RetryableError } from '../../contract/errors.js';
import type { CallEnd, CallStart } from '../call.js';
import { Violations } from '../violation.js';
import { BackoffCheck } from './backoff-check.js';
import { type Intensity, type KindSupervision, SupervisionCheck } from './supervision-check.js';

const CAP = 60_000;
let step = 0;
const call = (key: string, atMs: number): CallStart => ({ id: step, step: step++, atMs, op: 'observe', key });
const ended = (key: string, atMs: number, error?: unknown): CallEnd => ({
  id: step,
  step: step++,
  atMs,
  op: 'observe',
  key,
  ...(error !== undefined ? { error } : {}),
});
const failed = (key: string, atMs: number, delayMs: number | undefined, permanent = false) => ({
  key,
  step: step++,
  atMs,
  delayMs,
  permanent,
});

/** A failed call at `atMs`, as the runtime would see and report it. */
function failAt(
  check: BackoffCheck,
  atMs: number,
  delayMs: number | undefined,
  error: unknown = new Error('x'),
) {
  check.start(call('app/a', atMs - 1));
  check.end(ended('app/a', atMs, error));
  check.failed(failed('app/a', atMs, delayMs, PermanentError.is(error)));
}

describe('the backoff check', () => {
  it('reports a delay above the cap and one below the Retry-After of the failing call', () => {
    const sink = new Violations();
    const check = new BackoffCheck(sink, { capMs: CAP });
    failAt(check, 100, CAP + 1);
    failAt(check, 200_000, 4999, new RetryableError('throttled', { retryAfterMs: 5000 }));
    expect(sink.list.map((v) => v.detail)).toEqual([
      `delay ${CAP + 1} ms exceeds the cap of ${CAP} ms`,
      'delay 4999 ms undercuts Retry-After 5000 ms',
    ]);
  });

  it("lets a server's Retry-After above the cap win, as the floor it is", () => {
    const sink = new Violations();
    const check = new BackoffCheck(sink, { capMs: CAP });
    failAt(check, 100, 90_000, new RetryableError('throttled', { retryAfterMs: 90_000 }));
    expect(sink.total).toBe(0);
  });

  it('reports a retryable failure without a delay, and a permanent one with a delay', () => {
    const sink = new Violations();
    const check = new BackoffCheck(sink, { capMs: CAP });
    failAt(check, 100, undefined);
    expect(sink.list.map((v) => v.detail)).toEqual(['a retryable failure scheduled no retry']);
    check.wake('app/a', step++);
    failAt(check, 200, 1000, new PermanentError('no'));
    expect(sink.list.map((v) => v.detail)).toEqual([
      'a retryable failure scheduled no retry',
      'a permanent error scheduled a retry in 1000 ms',
    ]);
  });

  it('reports a retry that starts sooner than its delay, and accepts one on time', () => {
    const sink = new Violations();
    const check = new BackoffCheck(sink, { capMs: CAP });
    failAt(check, 1000, 500);
    check.start(call('app/a', 1499));
    expect(sink.list).toEqual([
      expect.objectContaining({ detail: expect.stringContaining('sooner than its delay') }),
    ]);
    failAt(check, 2000, 500);
    check.start(call('app/a', 2500));
    expect(sink.total).toBe(1);
  });

  it('reports any retry after a permanent error, unless something new woke the actor', () => {
    const sink = new Violations();
    const check = new BackoffCheck(sink, { capMs: CAP });
    failAt(check, 1000, undefined, new PermanentError('no'));
    check.start(call('app/a', 900_000));
    expect(sink.total).toBe(1);
    failAt(check, 1_000_000, undefined, new PermanentError('no'));
    check.wake('app/a', step++);
    check.start(call('app/a', 1_000_001));
    expect(sink.total).toBe(1);
  });

  it('allows the follow-up pass of a wake that came during the failing pass at once, but not before Retry-After', () => {
    const sink = new Violations();
    const check = new BackoffCheck(sink, { capMs: CAP });
    check.passStarted('app/a', step++);
    check.start(call('app/a', 0));
    check.wake('app/a', step++); // a new spec arrives while the pass runs
    check.end(ended('app/a', 10));
    check.failed(failed('app/a', 10, 800));
    check.start(call('app/a', 10));
    expect(sink.total).toBe(0);

    check.passStarted('app/a', step++);
    check.start(call('app/a', 20));
    check.wake('app/a', step++);
    check.end(ended('app/a', 30, new RetryableError('throttled', { retryAfterMs: 1000 })));
    check.failed(failed('app/a', 30, 1000));
    check.start(call('app/a', 30));
    expect(sink.list).toEqual([
      expect.objectContaining({ detail: expect.stringContaining('sooner than its delay of 1000 ms') }),
    ]);
  });

  it('holds the pass started by a wake to the full backoff when that pass fails', () => {
    const sink = new Violations();
    const check = new BackoffCheck(sink, { capMs: CAP });
    check.wake('app/a', step++); // resting: the wake starts the next pass
    check.passStarted('app/a', step++);
    check.start(call('app/a', 0));
    check.end(ended('app/a', 5));
    check.failed(failed('app/a', 5, 700));
    check.start(call('app/a', 6));
    expect(sink.total).toBe(1);
  });

  it('flags exactly the delays outside [ceil(retryAfter), max(cap, ceil(retryAfter))], for any delay and floor', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 * CAP }),
        fc.option(fc.double({ min: 1, max: 2 * CAP, noNaN: true }), { nil: undefined }),
        (delay, retryAfter) => {
          const sink = new Violations();
          const check = new BackoffCheck(sink, { capMs: CAP });
          const error =
            retryAfter === undefined ? new Error('x') : new RetryableError('x', { retryAfterMs: retryAfter });
          failAt(check, 10, delay, error);
          const floor = retryAfter === undefined ? 0 : Math.ceil(retryAfter);
          const bad = delay > Math.max(CAP, floor) || delay < floor;
          expect(sink.total).toBe(bad ? 1 : 0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** The escalations a correct supervisor makes for `crashes` (times, in order): the reference. */
function escalationsFor(crashes: readonly number[], { maxRestarts, withinMs }: Intensity): number[] {
  const out: number[] = [];
  let since = 0; // index of the first crash of the current supervisor incarnation
  crashes.forEach((t, i) => {
    const recent = crashes.slice(since, i + 1).filter((c) => c > t - withinMs);
    if (recent.length > maxRestarts) {
      out.push(i);
      since = i + 1;
    }
  });
  return out;
}

describe('the supervision check', () => {
  const intensity = { maxRestarts: 3, withinMs: 5000, systemicShare: 0 };
  const root = { maxRestarts: 3, withinMs: 5000 };
  const options = (kind: Partial<KindSupervision> = {}, restartWithinMs = 0) => ({
    kind: { ...intensity, ...kind },
    root,
    restartWithinMs,
  });

  it('expects an escalation when a fourth distinct resource crashes within 5 s, and is satisfied by exactly one', () => {
    const sink = new Violations();
    const check = new SupervisionCheck(sink, options());
    for (const t of [0, 1000, 2000]) {
      check.crashed('app', `app/k${t}`, step++, t);
      check.restarted('app', `app/k${t}`, step++, t);
    }
    check.crashed('app', 'app/k3', step++, 3000);
    check.escalated('app', step++, 3500);
    check.finish(step++, 10_000, 1000);
    expect(sink.total).toBe(0);
    expect(check.escalations('app')).toBe(1);
  });

  it('never expects one resource crashing over and over to escalate, and lets it wait for its backoff', () => {
    const sink = new Violations();
    const check = new SupervisionCheck(sink, options({}, 300_000));
    for (const t of [0, 100, 200, 300, 400, 500]) {
      check.crashed('app', 'app/a', step++, t);
      check.restarted('app', 'app/a', step++, t);
    }
    check.crashed('app', 'app/a', step++, 600); // waiting for its restart when the run ends
    check.finish(step++, 200_000, 1000);
    expect(sink.total).toBe(0);
    check.escalated('app', step++, 200_000);
    expect(sink.list.map((v) => v.detail)).toEqual([
      'escalated without more than maxRestarts of its resources crashing',
    ]);
  });

  it('expects an escalation only beyond the systemic share of the kind', () => {
    const sink = new Violations();
    const check = new SupervisionCheck(sink, options({ systemicShare: 0.5 }));
    check.resources('app', 10);
    for (const t of [0, 1, 2, 3, 4]) {
      check.crashed('app', `app/k${t}`, step++, t);
      check.restarted('app', `app/k${t}`, step++, t);
    }
    check.crashed('app', 'app/k5', step++, 5); // the sixth of ten
    check.finish(step++, 60_000, 1000);
    expect(sink.list.map((v) => v.detail)).toEqual([expect.stringContaining('never escalated')]);
  });

  it('reports a missing escalation, an escalation without cause, and a crash never restarted', () => {
    const missing = new Violations();
    const a = new SupervisionCheck(missing, options());
    for (const t of [0, 1, 2]) {
      a.crashed('app', `app/k${t}`, step++, t);
      a.restarted('app', `app/k${t}`, step++, t);
    }
    a.crashed('app', 'app/k3', step++, 3);
    a.finish(step++, 60_000, 1000);
    expect(missing.list.map((v) => v.detail)).toEqual([expect.stringContaining('never escalated')]);

    const spurious = new Violations();
    const b = new SupervisionCheck(spurious, options());
    b.crashed('app', 'app/a', step++, 0);
    b.escalated('app', step++, 0);
    b.finish(step++, 60_000, 1000);
    expect(spurious.list.map((v) => v.detail)).toEqual([
      'escalated without more than maxRestarts of its resources crashing',
    ]);

    const lost = new Violations();
    const c = new SupervisionCheck(lost, options());
    c.crashed('app', 'app/a', step++, 0);
    c.finish(step++, 60_000, 1000);
    expect(lost.list.map((v) => v.detail)).toEqual([expect.stringContaining('never restarted')]);
  });

  it('reports a restart without a crash, but not the restarts of a whole kind after an escalation', () => {
    const sink = new Violations();
    const check = new SupervisionCheck(sink, options({ maxRestarts: 0 }));
    check.restarted('app', 'app/a', step++, 0);
    expect(sink.total).toBe(1);
    check.crashed('app', 'app/a', step++, 10);
    check.escalated('app', step++, 10);
    check.restarted('app', 'app/a', step++, 10);
    check.restarted('app', 'app/b', step++, 10);
    expect(sink.total).toBe(1);
  });

  it('expects the runtime to fail exactly when escalations exceed the root intensity', () => {
    const sink = new Violations();
    const check = new SupervisionCheck(sink, options({ maxRestarts: 0, withinMs: 1000 }));
    for (const t of [0, 100, 200, 300]) {
      check.crashed('app', 'app/a', step++, t);
      check.escalated('app', step++, t);
    }
    check.runtimeFailed(step++, 300);
    check.finish(step++, 60_000, 1000);
    expect(sink.total).toBe(0);

    const early = new Violations();
    const other = new SupervisionCheck(early, options({ maxRestarts: 0, withinMs: 1000 }));
    other.crashed('app', 'app/a', step++, 0);
    other.escalated('app', step++, 0);
    other.runtimeFailed(step++, 0);
    expect(early.list.map((v) => v.detail)).toEqual([expect.stringContaining('without its root exceeding')]);
  });

  it('agrees with a brute-force reference on when to escalate, for any crash times and intensity', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 8000 }),
        fc.constantFrom('exact', 'drop the last escalation', 'add one without cause'),
        fc.nat(),
        (gaps, maxRestarts, withinMs, mode, pick) => {
          const times: number[] = [];
          gaps.reduce((t, gap) => {
            times.push(t + gap);
            return t + gap;
          }, 0);
          const kind = { maxRestarts, withinMs, systemicShare: 0 };
          const expected = escalationsFor(times, kind);
          const sink = new Violations();
          const check = new SupervisionCheck(sink, {
            kind,
            root: { maxRestarts: 1e9, withinMs: 1 },
            restartWithinMs: 0,
          });
          const calm = times.map((_, i) => i).filter((i) => !expected.includes(i));
          const skip = mode === 'drop the last escalation' ? (expected.at(-1) ?? -1) : -1;
          const extra = mode === 'add one without cause' && calm.length > 0 ? calm[pick % calm.length]! : -1;
          times.forEach((t, i) => {
            check.crashed('app', `app/k${i}`, step++, t);
            if (expected.includes(i)) {
              if (i !== skip) check.escalated('app', step++, t);
            } else {
              check.restarted('app', `app/k${i}`, step++, t);
              if (i === extra) check.escalated('app', step++, t);
            }
          });
          check.finish(step++, (times.at(-1) ?? 0) + 1_000_000, 1000);
          if (skip >= 0 || extra >= 0) expect(sink.total).toBeGreaterThan(0);
          else expect(sink.total).toBe(0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
