import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProviderContext } from '../../contract/provider.js';
import { memoryProvider } from '../../providers/memory.js';
import { seededRandom } from '../../time/random.js';
import { TestClock } from '../../time/test-clock.js';
import type { CallEnd, CallOperation, CallStart } from '../call.js';
import { type CallObserver, checkingProvider } from '../checking-provider.js';
import { Trace } from '../trace.js';
import { Violations } from '../violation.js';
import { type ConvergenceInput, checkConvergence } from './convergence-check.js';
import { CreateExistingCheck } from './create-existing-check.js';
import { OverlapCheck } from './overlap-check.js';
import { StaleSpecCheck } from './stale-spec-check.js';
import { UnmanagedCheck } from './unmanaged-check.js';

let nextId = 0;
const start = (op: CallOperation, key: string, atMs = 0, spec?: Record<string, unknown>): CallStart => ({
  id: nextId++,
  step: nextId,
  atMs,
  op,
  key,
  ...(spec ? { spec } : {}),
});
const end = (call: CallStart, atMs = call.atMs, error?: unknown): CallEnd => ({
  id: call.id,
  step: call.step + 1,
  atMs,
  op: call.op,
  key: call.key,
  ...(error !== undefined ? { error } : {}),
});

function ctx(clock: TestClock): ProviderContext {
  return { signal: new AbortController().signal, clock, log: undefined as unknown as ProviderContext['log'] };
}

/** A checking provider over a memory provider, wired to the call checks. */
function checkedMemory(checks: { overlap: OverlapCheck; create: CreateExistingCheck }) {
  const clock = new TestClock();
  const memory = memoryProvider({ kind: 'app', clock, random: seededRandom(1), faults: { latencyMs: 100 } });
  const open = new Map<number, CallStart>();
  let step = 0;
  const observer: CallObserver = {
    begin(op, key, spec) {
      const call = start(op, key, clock.now(), spec);
      open.set(call.id, call);
      checks.overlap.start({ ...call, step: step++ });
      return call.id;
    },
    finish(id, _op, _key, error) {
      const call = open.get(id)!;
      const done = end(call, clock.now(), error);
      checks.overlap.end({ ...done, step: step++ });
      checks.create.end(done);
    },
  };
  return { clock, memory, provider: checkingProvider(memory, observer) };
}

describe('the one-operation-per-key check', () => {
  it('reports a call that starts while another call for the same key is running', () => {
    const sink = new Violations();
    const check = new OverlapCheck(sink);
    const first = start('observe', 'app/a', 10);
    const second = start('update', 'app/a', 20);
    check.start(first);
    check.start(second);
    expect(sink.list).toEqual([
      expect.objectContaining({ invariant: 'one-operation-per-key', key: 'app/a', atMs: 20 }),
    ]);
    expect(sink.list[0]!.detail).toContain('observe');
  });

  it('stays silent for back-to-back calls on one key and for concurrent calls on different keys', () => {
    const sink = new Violations();
    const check = new OverlapCheck(sink);
    const a = start('observe', 'app/a');
    const b = start('observe', 'app/b');
    check.start(a);
    check.start(b);
    check.end(end(a));
    const again = start('create', 'app/a');
    check.start(again);
    check.end(end(again));
    check.end(end(b));
    expect(sink.total).toBe(0);
    expect(check.inFlight).toBe(0);
  });

  it('fires when a broken caller starts two calls at once on a checked provider', async () => {
    const sink = new Violations();
    const checks = { overlap: new OverlapCheck(sink), create: new CreateExistingCheck(sink) };
    const { clock, provider } = checkedMemory(checks);
    const ref = { kind: 'app', name: 'a', spec: {} };
    const both = Promise.all([provider.observe(ref, ctx(clock)), provider.observe(ref, ctx(clock))]);
    await clock.advance(100);
    await both;
    expect(sink.counts['one-operation-per-key']).toBe(1);
  });

  it('counts exactly the starts that find another call for their key running, for any interleaving', () => {
    const action = fc.oneof(
      fc.record({ type: fc.constant('start' as const), key: fc.constantFrom('a', 'b', 'c') }),
      fc.record({ type: fc.constant('end' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 40 }), (actions) => {
        const sink = new Violations();
        const check = new OverlapCheck(sink);
        const running: CallStart[] = [];
        let expected = 0;
        for (const a of actions) {
          if (a.type === 'start') {
            if (running.some((c) => c.key === a.key)) expected++;
            const call = start('observe', a.key);
            running.push(call);
            check.start(call);
          } else if (running.length > 0) {
            const [call] = running.splice(a.pick % running.length, 1);
            check.end(end(call!));
          }
        }
        expect(sink.counts['one-operation-per-key']).toBe(expected);
        expect(check.inFlight).toBe(running.length);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('the no-create-of-existing check', () => {
  it('fires when a broken actor creates the same object twice through a checked provider', async () => {
    const sink = new Violations();
    const checks = { overlap: new OverlapCheck(sink), create: new CreateExistingCheck(sink) };
    const { clock, provider } = checkedMemory(checks);
    const desired = { kind: 'app', name: 'a', spec: { v: 1 } };
    const first = provider.create(desired, ctx(clock));
    await clock.advance(100);
    await first;
    const second = provider.create(desired, ctx(clock)).catch((error: unknown) => error);
    await clock.advance(100);
    expect(await second).toBeInstanceOf(Error);
    expect(checks.create.count).toBe(1);
    expect(sink.list).toEqual([
      expect.objectContaining({ invariant: 'no-create-of-existing', key: 'app/a' }),
    ]);
  });

  it('ignores other failures of create, and failures of other operations', () => {
    const sink = new Violations();
    const check = new CreateExistingCheck(sink);
    check.end(end(start('create', 'app/a'), 0, new Error('create of `a` failed (injected fault)')));
    check.end(end(start('update', 'app/a'), 0, new Error('create of an existing key')));
    check.end(end(start('create', 'app/b')));
    expect(sink.total).toBe(0);
  });
});

describe('the unmanaged-untouched check', () => {
  const setup = () => {
    const sink = new Violations();
    const inventory = new Set(['app/mine']);
    const check = new UnmanagedCheck(sink, {
      unmanaged: ['app/theirs'],
      manages: (key) => inventory.has(key),
    });
    return { sink, check };
  };

  it('lets an unmanaged object be observed, and nothing else', () => {
    const { sink, check } = setup();
    check.start(start('observe', 'app/theirs'));
    expect(sink.total).toBe(0);
    for (const op of ['create', 'update', 'delete', 'restart'] as const) check.start(start(op, 'app/theirs'));
    expect(sink.counts['unmanaged-untouched']).toBe(4);
  });

  it('reports a delete of an object that is not in the inventory, and allows one that is', () => {
    const { sink, check } = setup();
    check.start(start('delete', 'app/mine'));
    expect(sink.total).toBe(0);
    check.start(start('delete', 'app/stranger'));
    expect(sink.list).toEqual([
      expect.objectContaining({
        key: 'app/stranger',
        detail: expect.stringContaining('not in the inventory'),
      }),
    ]);
  });
});

describe('the no-stale-spec check', () => {
  it('reports an update that carries an older spec after a newer one was accepted', () => {
    const sink = new Violations();
    const check = new StaleSpecCheck(sink);
    check.accept('app/a', { v: 1 }, 0, 0);
    check.start(start('update', 'app/a', 5, { v: 1 }));
    expect(sink.total).toBe(0);
    check.accept('app/a', { v: 2 }, 1, 10);
    check.start(start('update', 'app/a', 20, { v: 1 }));
    expect(sink.list).toEqual([
      expect.objectContaining({
        invariant: 'no-stale-spec',
        atMs: 20,
        detail: expect.stringContaining('{"v":2}'),
      }),
    ]);
    check.start(start('create', 'app/a', 30, { v: 2 }));
    expect(sink.total).toBe(1);
  });

  it('compares specs as JSON whatever their key order, and reports a spec never accepted', () => {
    const sink = new Violations();
    const check = new StaleSpecCheck(sink);
    check.acceptSet([{ kind: 'app', name: 'a', spec: { x: 1, y: { p: 1, q: 2 } } }], 0, 0);
    check.start(start('create', 'app/a', 1, { y: { q: 2, p: 1 }, x: 1 }));
    expect(sink.total).toBe(0);
    check.start(start('create', 'app/b', 1, { x: 1 }));
    expect(sink.list[0]!.detail).toContain('no spec was ever accepted');
  });

  it('allows the last spec of a key that left the desired set, and the last-good spec under rollback', () => {
    const sink = new Violations();
    const good = new Map([['app/a', { v: 0 }]]);
    const check = new StaleSpecCheck(sink, { lastGood: (key) => good.get(key) });
    check.acceptSet([{ kind: 'app', name: 'a', spec: { v: 1 } }], 0, 0);
    check.acceptSet([], 1, 10);
    check.start(start('create', 'app/a', 11, { v: 1 }));
    check.start(start('update', 'app/a', 12, { v: 0 }));
    expect(sink.total).toBe(0);
    check.start(start('update', 'app/a', 13, { v: 7 }));
    expect(sink.total).toBe(1);
  });
});

describe('the convergence check', () => {
  const input = (over: Partial<ConvergenceInput> = {}): ConvergenceInput => ({
    desired: new Map([['app/a', { v: 1 }]]),
    world: new Map<string, object>([['app/a', { v: 1 }]]),
    unmanaged: new Set(['app/u0']),
    status: () => ({ phase: 'synced', lastError: undefined }),
    manages: () => true,
    untouched: () => false,
    ...over,
  });

  it('passes when the world is the desired set and every actor is Ready', () => {
    const sink = new Violations();
    expect(checkConvergence(input(), sink, 0, 0)).toEqual({ ok: true, held: 0, mismatched: 0 });
    expect(sink.total).toBe(0);
  });

  it('reports a missing object, a wrong spec, an actor not Ready and a managed object left behind', () => {
    const cases: Partial<ConvergenceInput>[] = [
      { world: new Map() },
      { world: new Map([['app/a', { v: 2 }]]) },
      { status: () => ({ phase: 'backoff', lastError: 'Error: boom' }) },
      {
        world: new Map<string, object>([
          ['app/a', { v: 1 }],
          ['app/old', { v: 1 }],
        ]),
      },
    ];
    for (const over of cases) {
      const sink = new Violations();
      expect(checkConvergence(input(over), sink, 3, 30).ok).toBe(false);
      expect(sink.list).toEqual([expect.objectContaining({ invariant: 'convergence', step: 3, atMs: 30 })]);
    }
  });

  it('holds back what a PermanentError stopped, and leaves alone what was never ours', () => {
    const sink = new Violations();
    const verdict = checkConvergence(
      input({
        world: new Map<string, object>([
          ['app/u0', { theirs: true }],
          ['app/legacy', { v: 0 }],
          ['app/stuck', { v: 9 }],
        ]),
        status: (key) =>
          key === 'app/a'
            ? { phase: 'degraded', lastError: 'PermanentError: refused' }
            : key === 'app/stuck'
              ? { phase: 'deleteBackoff', lastError: 'PermanentError: refused' }
              : undefined,
        manages: (key) => key !== 'app/legacy',
        untouched: (key) => key === 'app/legacy',
      }),
      sink,
      0,
      0,
    );
    expect(verdict).toEqual({ ok: true, held: 2, mismatched: 0 });
  });
});

describe('the trace', () => {
  it('hashes its lines with sha256, the same lines giving the same hash', () => {
    const a = new Trace({ keep: true });
    const b = new Trace();
    for (const t of [a, b]) {
      t.record(0, '> observe app/a');
      t.record(5, '< observe app/a ok');
    }
    expect(a.digest()).toBe(b.digest());
    const text = `${a.lines!.join('\n')}\n`;
    expect(a.digest()).toBe(createHash('sha256').update(text).digest('hex'));
    expect(a.lines).toEqual(['0 0 > observe app/a', '1 5 < observe app/a ok']);
    b.record(6, 'x');
    expect(b.digest()).not.toBe(a.digest());
  });
});
