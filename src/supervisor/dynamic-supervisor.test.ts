import { describe, expect, it } from 'vitest';
import { TestClock } from '../time/test-clock.js';
import {
  type Child,
  ChildLimitError,
  type ChildLink,
  type ChildSpec,
  ChildStartError,
  createDynamicSupervisor,
  createSupervisor,
  type DynamicSupervisor,
  type RestartIntensityError,
  type RestartType,
} from './index.js';

/** Resource-actor stand-ins that log what happens to them and keep their current link. */
class Pool {
  readonly clock = new TestClock();
  readonly log: string[] = [];
  readonly links = new Map<string, ChildLink>();

  spec(id: string, options: { restart?: RestartType; async?: boolean; stopMs?: number } = {}): ChildSpec {
    return {
      id,
      restart: options.restart,
      start: (link) => {
        this.log.push(`start ${id}`);
        this.links.set(id, link);
        const child: Child = {
          stop: () => {
            this.log.push(`stop ${id}`);
            if (options.stopMs === undefined) return;
            return new Promise<void>((resolve) => this.clock.setTimeout(resolve, options.stopMs!));
          },
          kill: () => this.log.push(`kill ${id}`),
        };
        return options.async ? Promise.resolve(child) : child;
      },
    };
  }

  crash(id: string): void {
    this.links.get(id)!.exit({ reason: 'crash', error: new Error('boom') });
  }

  async supervisor(options: { maxChildren?: number; maxRestarts?: number } = {}): Promise<DynamicSupervisor> {
    return createDynamicSupervisor({ id: 'kind', clock: this.clock, ...options }).start();
  }
}

describe('dynamic supervisor', () => {
  it('registers a child synchronously and returns the Child itself when start does', async () => {
    const pool = new Pool();
    const sup = await pool.supervisor();
    const child = sup.startChild(pool.spec('user/alice'));
    expect(child).not.toBeInstanceOf(Promise);
    expect(typeof (child as Child).stop).toBe('function');
    expect(sup.countChildren()).toEqual({ specs: 1, active: 1, supervisors: 0, workers: 1 });
  });

  it('returns a promise only when start does', async () => {
    const pool = new Pool();
    const sup = await pool.supervisor();
    const pending = sup.startChild(pool.spec('user/bob', { async: true }));
    expect(pending).toBeInstanceOf(Promise);
    expect(sup.whichChildren().map((c) => c.state)).toEqual(['starting']);
    await pending;
    expect(sup.whichChildren().map((c) => c.state)).toEqual(['running']);
  });

  it('refuses a child beyond maxChildren, and a taken id, with a ChildLimitError', async () => {
    const pool = new Pool();
    const sup = await pool.supervisor({ maxChildren: 2 });
    sup.startChild(pool.spec('a'));
    sup.startChild(pool.spec('b'));
    const full = catchError(() => sup.startChild(pool.spec('c')));
    expect(ChildLimitError.is(full)).toBe(true);
    expect((full as ChildLimitError).reason).toBe('max-children');
    expect((full as Error).message).toBe(
      'supervisor "kind" cannot start child "c": maxChildren (2) reached; terminate a child first or raise maxChildren',
    );
    await sup.terminateChild('a');
    const taken = catchError(() => sup.startChild(pool.spec('b')));
    expect((taken as ChildLimitError).reason).toBe('id-taken');
    sup.startChild(pool.spec('c'));
    expect(pool.log).toEqual(['start a', 'start b', 'stop a', 'start c']);
  });

  it('throws a ChildStartError when a synchronous start fails, and keeps nothing', async () => {
    const pool = new Pool();
    const sup = await pool.supervisor();
    const error = catchError(() =>
      sup.startChild({
        id: 'x',
        start: () => {
          throw new Error('nope');
        },
      }),
    );
    expect(ChildStartError.is(error)).toBe(true);
    expect(sup.countChildren().specs).toBe(0);
    await expect(
      sup.startChild({ id: 'y', start: () => Promise.reject(new Error('later')) }) as Promise<Child>,
    ).rejects.toThrow('supervisor "kind" could not start child "y": Error: later');
    expect(sup.countChildren().specs).toBe(0);
  });

  it('restarts a crashed child at once, with a new link, and ignores the old one', async () => {
    const pool = new Pool();
    const sup = await pool.supervisor();
    sup.startChild(pool.spec('a'));
    const old = pool.links.get('a')!;
    pool.crash('a');
    expect(pool.log).toEqual(['start a', 'start a']);
    expect(pool.links.get('a')).not.toBe(old);
    old.exit({ reason: 'crash', error: new Error('stale') });
    expect(pool.log).toEqual(['start a', 'start a']);
    expect(sup.tree().children).toEqual([{ id: 'a', type: 'worker', state: 'running', restarts: 1 }]);
  });

  it('forgets a child that is not restarted, as OTP does', async () => {
    const pool = new Pool();
    const sup = await pool.supervisor();
    sup.startChild(pool.spec('done', { restart: 'transient' }));
    sup.startChild(pool.spec('once', { restart: 'temporary' }));
    pool.links.get('done')!.exit({ reason: 'normal' });
    pool.crash('once');
    expect(sup.countChildren()).toEqual({ specs: 0, active: 0, supervisors: 0, workers: 0 });
  });

  it('handles an exit a child reports while it is still starting, once it has started', async () => {
    const pool = new Pool();
    const sup = await pool.supervisor();
    let starts = 0;
    sup.startChild({
      id: 'eager',
      restart: 'transient',
      start: (link) => {
        starts++;
        if (starts === 1) link.exit({ reason: 'crash', error: new Error('fell over at once') });
        return { stop() {} };
      },
    });
    expect(starts).toBe(2);
    expect(sup.tree().children).toEqual([{ id: 'eager', type: 'worker', state: 'running', restarts: 1 }]);
  });

  it('gives up after too many restarts and escalates to its parent', async () => {
    const pool = new Pool();
    let inner: DynamicSupervisor | undefined;
    const escalated: RestartIntensityError[] = [];
    const root = createSupervisor({
      id: 'root',
      clock: pool.clock,
      children: [
        {
          id: 'users',
          type: 'supervisor',
          start: async (link) => {
            inner = await createDynamicSupervisor({ clock: pool.clock, maxRestarts: 2 }).start(link);
            inner.on('supervisor:escalated', (e) => escalated.push(e.error));
            inner.startChild(pool.spec('alice'));
            inner.startChild(pool.spec('bob'));
            return inner;
          },
        },
      ],
    });
    await root.start();
    const first = inner;
    pool.crash('alice');
    pool.crash('bob');
    pool.crash('alice');
    await pool.clock.settle();
    expect(escalated).toHaveLength(1);
    expect(escalated[0]!.supervisor).toBe('users');
    expect(first!.state).toBe('failed');
    expect(inner).not.toBe(first);
    expect(root.tree().children[0]).toMatchObject({ id: 'users', state: 'running', restarts: 1 });
    expect(root.tree().children[0]!.children!.map((c) => c.id)).toEqual(['alice', 'bob']);
  });

  it('stops all children together, then resolves, killing those that overrun their shutdown', async () => {
    const pool = new Pool();
    const sup = await pool.supervisor();
    sup.startChild(pool.spec('a', { stopMs: 10 }));
    sup.startChild(pool.spec('b', { stopMs: 9000 }));
    sup.startChild(pool.spec('c'));
    let done = false;
    void sup.stop().then(() => (done = true));
    expect(pool.log.slice(3)).toEqual(['stop a', 'stop b', 'stop c']); // all asked at once
    await pool.clock.advance(4999);
    expect(done).toBe(false);
    await pool.clock.advance(1);
    expect(pool.log.at(-1)).toBe('kill b');
    expect(done).toBe(true);
    expect(sup.state).toBe('stopped');
    expect(sup.countChildren().specs).toBe(0);
  });

  it('terminates one child and forgets it', async () => {
    const pool = new Pool();
    const sup = await pool.supervisor();
    sup.startChild(pool.spec('a'));
    expect(await sup.terminateChild('a')).toBe(true);
    expect(await sup.terminateChild('a')).toBe(false);
    expect(pool.log).toEqual(['start a', 'stop a']);
  });

  it('backs off restarts with exact delays on the test clock', async () => {
    const clock = new TestClock();
    const sup = await createDynamicSupervisor({
      clock,
      maxRestarts: 10,
      random: () => 0.25,
      restartBackoff: { minMs: 1000, maxMs: 30_000, randomFactor: 0.4, resetAfterMs: 60_000 },
    }).start();
    let link: ChildLink | undefined;
    const startedAt: number[] = [];
    sup.startChild({
      id: 'a',
      start: (l) => {
        link = l;
        startedAt.push(clock.now());
        return { stop() {} };
      },
    });
    for (let i = 0; i < 3; i++) {
      link!.exit({ reason: 'crash', error: new Error('boom') });
      await clock.advance(10_000);
    }
    // 1000·1.1, 2000·1.1, 4000·1.1 after the crashes at 0, 10000, 20000
    expect(startedAt).toEqual([0, 1100, 12_200, 24_400]);
  });

  it('refuses to start children before start() or after stop()', async () => {
    const pool = new Pool();
    const sup = createDynamicSupervisor({ clock: pool.clock });
    expect((catchError(() => sup.startChild(pool.spec('a'))) as ChildLimitError).reason).toBe('not-running');
    await sup.start();
    await sup.stop();
    expect((catchError(() => sup.startChild(pool.spec('a'))) as ChildLimitError).reason).toBe('not-running');
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
