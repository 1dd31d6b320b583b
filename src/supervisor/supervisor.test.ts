import { describe, expect, it } from 'vitest';
import { TestClock } from '../time/test-clock.js';
import {
  type ChildLink,
  type ChildSpec,
  ChildStartError,
  createSupervisor,
  type ExitReason,
  RestartIntensityError,
  type RestartType,
  type Shutdown,
  type Strategy,
  type SupervisorEvents,
} from './index.js';

interface WorkerOptions {
  restart?: RestartType;
  shutdown?: Shutdown;
  /** How `stop()` behaves: at once (default), after `ms` on the clock, or never. */
  stops?: 'at-once' | 'never' | { afterMs: number };
  /** Fail the next N starts. */
  failStarts?: number;
}

/** Workers that write what happens to them into one log, and keep their current link. */
class Lab {
  readonly clock = new TestClock();
  readonly log: string[] = [];
  readonly links = new Map<string, ChildLink>();

  worker(id: string, options: WorkerOptions = {}): ChildSpec {
    let failures = options.failStarts ?? 0;
    return {
      id,
      restart: options.restart,
      shutdown: options.shutdown,
      start: (link) => {
        if (failures > 0) {
          failures--;
          this.log.push(`start ${id} failed`);
          throw new Error(`${id} cannot start`);
        }
        this.log.push(`start ${id}`);
        this.links.set(id, link);
        return {
          stop: () => {
            this.log.push(`stop ${id}`);
            const stops = options.stops ?? 'at-once';
            if (stops === 'at-once') return;
            if (stops === 'never') return new Promise<void>(() => {});
            return new Promise<void>((resolve) => this.clock.setTimeout(resolve, stops.afterMs));
          },
          kill: () => this.log.push(`kill ${id}`),
        };
      },
    };
  }

  crash(id: string, message = 'boom'): void {
    this.links.get(id)!.exit({ reason: 'crash', error: new Error(message) });
  }

  exit(id: string, reason: ExitReason): void {
    const link = this.links.get(id)!;
    if (reason === 'crash') link.exit({ reason, error: new Error('boom') });
    else link.exit({ reason });
  }

  /** Record every event of `sup` into the log, as `event child`. */
  watch(sup: { on<E extends keyof SupervisorEvents>(e: E, fn: SupervisorEvents[E]): () => void }): string[] {
    const seen: string[] = [];
    sup.on('child:exited', (e) => seen.push(`exited ${e.supervisor}/${e.child} ${e.exit.reason}`));
    sup.on('child:restarted', (e) => seen.push(`restarted ${e.supervisor}/${e.child} #${e.restarts}`));
    sup.on('supervisor:escalated', (e) => seen.push(`escalated ${e.supervisor}`));
    sup.on('supervisor:stopped', (e) => seen.push(`stopped ${e.supervisor}`));
    return seen;
  }
}

async function started(lab: Lab, strategy: Strategy, ids: string[], maxRestarts = 3) {
  const sup = createSupervisor({
    id: 'sup',
    strategy,
    maxRestarts,
    clock: lab.clock,
    children: ids.map((id) => lab.worker(id)),
  });
  await sup.start();
  lab.log.length = 0;
  return sup;
}

describe('strategies', () => {
  it('oneForOne restarts only the child that crashed', async () => {
    const lab = new Lab();
    const sup = await started(lab, 'oneForOne', ['a', 'b', 'c']);
    lab.crash('b');
    expect(lab.log).toEqual(['start b']);
    expect(sup.tree().children.map((c) => [c.id, c.state, c.restarts])).toEqual([
      ['a', 'running', 0],
      ['b', 'running', 1],
      ['c', 'running', 0],
    ]);
  });

  it('oneForAll stops the others in reverse start order, then starts all in start order', async () => {
    const lab = new Lab();
    const sup = await started(lab, 'oneForAll', ['a', 'b', 'c']);
    lab.crash('b');
    expect(lab.log).toEqual(['stop c', 'stop a', 'start a', 'start b', 'start c']);
    expect(sup.tree().restarts).toBe(1);
  });

  it('restForOne stops the children started after the crashed one, then starts it and them', async () => {
    const lab = new Lab();
    await started(lab, 'restForOne', ['a', 'b', 'c', 'd']);
    lab.crash('b');
    expect(lab.log).toEqual(['stop d', 'stop c', 'start b', 'start c', 'start d']);
  });

  it('restarts synchronously, within the call that reported the exit, when children answer at once', async () => {
    const lab = new Lab();
    const sup = await started(lab, 'oneForAll', ['a', 'b']);
    lab.crash('a');
    expect(sup.whichChildren().map((c) => c.state)).toEqual(['running', 'running']);
    expect(lab.clock.pending()).toBe(0);
  });
});

describe('restart types', () => {
  const table: [RestartType, ExitReason, boolean][] = [
    ['permanent', 'normal', true],
    ['permanent', 'shutdown', true],
    ['permanent', 'crash', true],
    ['transient', 'normal', false],
    ['transient', 'shutdown', false],
    ['transient', 'crash', true],
    ['temporary', 'normal', false],
    ['temporary', 'shutdown', false],
    ['temporary', 'crash', false],
  ];

  it.each(table)('a %s child that exits with %s is restarted: %s', async (restart, reason, restarted) => {
    const lab = new Lab();
    const sup = createSupervisor({ id: 'sup', clock: lab.clock, children: [lab.worker('w', { restart })] });
    await sup.start();
    const events = lab.watch(sup);
    lab.exit('w', reason);
    expect(events).toEqual(
      restarted ? [`exited sup/w ${reason}`, 'restarted sup/w #1'] : [`exited sup/w ${reason}`],
    );
    const rows = sup.whichChildren().map((c) => `${c.id}:${c.state}`);
    if (restarted) expect(rows).toEqual(['w:running']);
    else if (restart === 'temporary')
      expect(rows).toEqual([]); // OTP forgets a temporary child
    else expect(rows).toEqual(['w:stopped']); // a transient child's spec stays
  });

  it('starts again a transient child that had finished when a oneForAll restart brings everyone back', async () => {
    const lab = new Lab();
    const sup = createSupervisor({
      id: 'sup',
      strategy: 'oneForAll',
      clock: lab.clock,
      children: [lab.worker('job', { restart: 'transient' }), lab.worker('server')],
    });
    await sup.start();
    lab.exit('job', 'normal');
    lab.log.length = 0;
    lab.crash('server');
    expect(lab.log).toEqual(['start job', 'start server']);
  });

  it('drops a temporary sibling that a oneForAll restart stopped, instead of starting it again', async () => {
    const lab = new Lab();
    const sup = createSupervisor({
      id: 'sup',
      strategy: 'oneForAll',
      clock: lab.clock,
      children: [lab.worker('probe', { restart: 'temporary' }), lab.worker('server')],
    });
    await sup.start();
    lab.log.length = 0;
    lab.crash('server');
    expect(lab.log).toEqual(['stop probe', 'start server']);
    expect(sup.whichChildren().map((c) => c.id)).toEqual(['server']);
  });
});

describe('restart intensity', () => {
  it('gives up after 3 crashes in 5 s and escalates to its parent', async () => {
    const lab = new Lab();
    let subs = 0;
    const escalations: RestartIntensityError[] = [];
    const root = createSupervisor({
      id: 'root',
      clock: lab.clock,
      children: [
        lab.worker('store'),
        {
          id: 'sub',
          type: 'supervisor',
          start: (link) => {
            subs++;
            const sub = createSupervisor({ clock: lab.clock, children: [lab.worker('flaky')] });
            sub.on('supervisor:escalated', (e) => escalations.push(e.error));
            return sub.start(link);
          },
        },
      ],
    });
    const events = lab.watch(root);
    await root.start();
    for (const t of [0, 1000, 2000]) {
      await lab.clock.advanceTo(t);
      lab.crash('flaky');
    }
    expect(escalations).toEqual([]);
    await lab.clock.advanceTo(3000);
    lab.crash('flaky'); // the 4th restart within 5 s
    await lab.clock.settle();

    expect(escalations).toHaveLength(1);
    expect(escalations[0]).toBeInstanceOf(RestartIntensityError);
    expect(escalations[0]!.message).toBe(
      'supervisor "sub" gave up: more than 3 restart(s) within 5000 ms; the last, child "flaky", crashed (Error: boom)',
    );
    // The parent saw its child 'sub' crash, and restarted it with fresh children.
    expect(events).toEqual(['exited root/sub crash', 'restarted root/sub #1']);
    expect(subs).toBe(2);
    expect(root.tree().children.map((c) => [c.id, c.state, c.restarts])).toEqual([
      ['store', 'running', 0],
      ['sub', 'running', 1],
    ]);
    expect(root.tree().children[1]!.children).toEqual([
      { id: 'flaky', type: 'worker', state: 'running', restarts: 0 },
    ]);
  });

  it('escalates exactly once, even when more exits arrive while it gives up', async () => {
    const lab = new Lab();
    const sup = createSupervisor({
      id: 'root',
      maxRestarts: 0,
      clock: lab.clock,
      children: [lab.worker('a', { stops: { afterMs: 10 } }), lab.worker('b'), lab.worker('c')],
    });
    await sup.start();
    const events = lab.watch(sup);
    const [a, c] = [lab.links.get('a')!, lab.links.get('c')!];
    lab.crash('b'); // gives up: stops c, then a (which takes 10 ms)
    a.exit({ reason: 'crash', error: new Error('late') });
    c.exit({ reason: 'crash', error: new Error('late') });
    await lab.clock.advance(100);
    expect(events).toEqual(['exited root/b crash', 'escalated root']);
  });

  it('says in child:exited that the child will not be restarted when it is one restart too many', async () => {
    const lab = new Lab();
    const sup = await started(lab, 'oneForOne', ['a'], 1);
    const seen: string[] = [];
    sup.on('child:exited', (e) => seen.push(`exited, willRestart: ${e.willRestart}`));
    sup.on('supervisor:escalated', (e) => seen.push(`escalated after ${e.child}`));
    lab.crash('a');
    lab.crash('a');
    expect(seen).toEqual(['exited, willRestart: true', 'exited, willRestart: false', 'escalated after a']);
  });

  it('ends a root supervisor that gives up in state failed, with its children stopped in reverse order', async () => {
    const lab = new Lab();
    const sup = await started(lab, 'oneForOne', ['a', 'b', 'c'], 1);
    lab.crash('a');
    lab.crash('a');
    expect(lab.log).toEqual(['start a', 'stop c', 'stop b']);
    expect(sup.state).toBe('failed');
    expect(sup.tree().children.map((c) => c.state)).toEqual(['stopped', 'stopped', 'stopped']);
    await sup.stop(); // a no-op now
  });

  it('forgets restarts older than withinMs', async () => {
    const lab = new Lab();
    const sup = await started(lab, 'oneForOne', ['a'], 2);
    for (let i = 0; i < 10; i++) {
      lab.crash('a');
      await lab.clock.advance(2600); // at most 2 restarts in any 5 s
    }
    expect(sup.state).toBe('running');
    expect(sup.tree().restarts).toBe(10);
  });

  it('climbs the tree: a parent that gives up in turn escalates once too', async () => {
    const lab = new Lab();
    const escalated: string[] = [];
    const sub = (id: string): ChildSpec => ({
      id,
      type: 'supervisor',
      start: (link) => {
        const s = createSupervisor({ maxRestarts: 0, clock: lab.clock, children: [lab.worker(`${id}-w`)] });
        s.on('supervisor:escalated', (e) => escalated.push(e.supervisor));
        return s.start(link);
      },
    });
    const root = createSupervisor({ id: 'root', maxRestarts: 1, clock: lab.clock, children: [sub('mid')] });
    root.on('supervisor:escalated', (e) => escalated.push(e.supervisor));
    await root.start();
    lab.crash('mid-w');
    await lab.clock.settle();
    expect(escalated).toEqual(['mid']);
    lab.crash('mid-w');
    await lab.clock.settle();
    expect(escalated).toEqual(['mid', 'mid', 'root']);
    expect(root.state).toBe('failed');
  });
});

describe('starting', () => {
  it('fails the whole start when a child cannot start, stopping those started in reverse', async () => {
    const lab = new Lab();
    const sup = createSupervisor({
      id: 'sup',
      clock: lab.clock,
      children: [lab.worker('a'), lab.worker('b'), lab.worker('c', { failStarts: 1 }), lab.worker('d')],
    });
    const error = await sup.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChildStartError);
    expect((error as Error).message).toBe(
      'supervisor "sup" could not start child "c": Error: c cannot start',
    );
    expect(lab.log).toEqual(['start a', 'start b', 'start c failed', 'stop b', 'stop a']);
    expect(sup.state).toBe('failed');
  });

  it('counts a restart that fails to start as another crash, and retries it on the clock', async () => {
    const lab = new Lab();
    const spec = lab.worker('a');
    let failNext = 0;
    const flaky: ChildSpec = {
      id: 'a',
      start: (link) => {
        if (failNext-- > 0) throw new Error('not yet');
        return spec.start(link);
      },
    };
    const sup = createSupervisor({ id: 'sup', clock: lab.clock, children: [flaky] });
    await sup.start();
    const events = lab.watch(sup);
    failNext = 2;
    lab.crash('a');
    expect(sup.tree().children[0]!.state).toBe('restarting');
    await lab.clock.advance(0);
    await lab.clock.advance(0);
    expect(events).toEqual([
      'exited sup/a crash',
      'exited sup/a crash',
      'exited sup/a crash',
      'restarted sup/a #1',
    ]);
    expect(sup.tree().restarts).toBe(3);
    expect(sup.state).toBe('running');
  });

  it('rejects malformed options with a TypeError naming the option', () => {
    const clock = new TestClock();
    expect(() => createSupervisor({ clock, children: [], strategy: 'one_for_all' as Strategy })).toThrow(
      'Expected `strategy` to be one of oneForOne, oneForAll, restForOne, got `"one_for_all"` (string)',
    );
    expect(() => createSupervisor({ clock, children: [], maxRestarts: -1 })).toThrow(TypeError);
    expect(() =>
      createSupervisor({
        clock,
        children: [
          { id: 'a', start: () => ({ stop() {} }) },
          { id: 'a', start: () => ({ stop() {} }) },
        ],
      }),
    ).toThrow('Expected child ids to be unique, got `"a"` twice (children[1])');
  });
});

describe('stale exits', () => {
  it('ignores an exit reported by an incarnation that was already replaced', async () => {
    const lab = new Lab();
    const sup = await started(lab, 'oneForOne', ['a']);
    const first = lab.links.get('a')!;
    lab.crash('a');
    first.exit({ reason: 'crash', error: new Error('again, from the past') });
    first.exit({ reason: 'normal' });
    expect(sup.tree().restarts).toBe(1);
    expect(lab.log).toEqual(['start a']);
  });

  it('ignores the exit a child reports while its supervisor is stopping it', async () => {
    const lab = new Lab();
    const sup = await started(lab, 'oneForAll', ['a', 'b']);
    const a = lab.links.get('a')!;
    lab.crash('b'); // stops a and starts both again
    a.exit({ reason: 'shutdown' });
    expect(sup.tree().restarts).toBe(1);
  });

  it('lets exits wait their turn while a restart waits for a slow sibling to stop', async () => {
    const lab = new Lab();
    const sup = createSupervisor({
      id: 'sup',
      strategy: 'oneForAll',
      clock: lab.clock,
      children: [lab.worker('slow', { stops: { afterMs: 50 } }), lab.worker('b'), lab.worker('c')],
    });
    await sup.start();
    lab.log.length = 0;
    const c = lab.links.get('c')!;
    lab.crash('b'); // stops c, then slow (50 ms)
    c.exit({ reason: 'crash', error: new Error('stale by the time it is read') });
    await lab.clock.advance(50);
    expect(lab.log).toEqual(['stop c', 'stop slow', 'start slow', 'start b', 'start c']);
    expect(sup.tree().restarts).toBe(1);
  });
});

describe('asynchronous children', () => {
  it('handles an exit a child reports from inside its own start once the start is done', async () => {
    const lab = new Lab();
    let starts = 0;
    const sup = createSupervisor({
      id: 'sup',
      clock: lab.clock,
      children: [
        {
          id: 'eager',
          start: (link) => {
            if (++starts === 1) link.exit({ reason: 'crash', error: new Error('at once') });
            return { stop() {} };
          },
        },
      ],
    });
    await sup.start();
    expect(starts).toBe(2);
    expect(sup.tree().children[0]).toMatchObject({ state: 'running', restarts: 1 });
  });

  it('lets stop() wait for a restart in progress, then stops the restarted child', async () => {
    const lab = new Lab();
    let starts = 0;
    let link: ChildLink | undefined;
    const sup = createSupervisor({
      id: 'sup',
      clock: lab.clock,
      children: [
        {
          id: 'slow',
          start: (l) => {
            link = l;
            const n = ++starts;
            const child = { stop: () => void lab.log.push(`stop #${n}`) };
            return new Promise((resolve) => lab.clock.setTimeout(() => resolve(child), 100));
          },
        },
      ],
    });
    const starting = sup.start();
    await lab.clock.advance(100);
    await starting;
    link!.exit({ reason: 'crash', error: new Error('boom') }); // restart takes 100 ms
    let stopped = false;
    void sup.stop().then(() => (stopped = true));
    await lab.clock.advance(99);
    expect([stopped, lab.log]).toEqual([false, []]);
    await lab.clock.advance(1);
    expect([stopped, lab.log]).toEqual([true, ['stop #2']]);
  });
});

describe('shutdown', () => {
  it('stops children in reverse start order and reports supervisor:stopped', async () => {
    const lab = new Lab();
    const sup = await started(lab, 'oneForOne', ['a', 'b', 'c']);
    const events = lab.watch(sup);
    await sup.stop();
    expect(lab.log).toEqual(['stop c', 'stop b', 'stop a']);
    expect(events).toEqual(['stopped sup']);
    expect(sup.state).toBe('stopped');
  });

  it('kills a child that ignores stop after its shutdown time, then moves on', async () => {
    const lab = new Lab();
    const sup = createSupervisor({
      id: 'sup',
      clock: lab.clock,
      children: [lab.worker('a'), lab.worker('stubborn', { stops: 'never', shutdown: 2000 })],
    });
    await sup.start();
    const killed: string[] = [];
    sup.on('child:killed', (e) => killed.push(`${e.child} after ${e.afterMs} ms at ${lab.clock.now()}`));
    lab.log.length = 0;
    let done = false;
    void sup.stop().then(() => (done = true));
    await lab.clock.advance(1999);
    expect([lab.log, done]).toEqual([['stop stubborn'], false]);
    await lab.clock.advance(1);
    expect(lab.log).toEqual(['stop stubborn', 'kill stubborn', 'stop a']);
    expect(killed).toEqual(['stubborn after 2000 ms at 2000']);
    expect(done).toBe(true);
  });

  it('gives a worker 5000 ms by default', async () => {
    const lab = new Lab();
    const sup = createSupervisor({ clock: lab.clock, children: [lab.worker('w', { stops: 'never' })] });
    await sup.start();
    void sup.stop();
    await lab.clock.advance(4999);
    expect(lab.log).not.toContain('kill w');
    await lab.clock.advance(1);
    expect(lab.log).toContain('kill w');
  });

  it('kills a brutal child at once, without asking it to stop', async () => {
    const lab = new Lab();
    const sup = createSupervisor({
      clock: lab.clock,
      children: [lab.worker('a'), lab.worker('b', { shutdown: 'brutal', stops: 'never' })],
    });
    await sup.start();
    lab.log.length = 0;
    await sup.stop();
    expect(lab.log).toEqual(['kill b', 'stop a']);
  });

  it('waits as long as a nested supervisor needs (its shutdown is Infinity)', async () => {
    const lab = new Lab();
    const root = createSupervisor({
      id: 'root',
      clock: lab.clock,
      children: [
        {
          id: 'sub',
          type: 'supervisor',
          start: (link) =>
            createSupervisor({
              clock: lab.clock,
              children: [lab.worker('slow', { stops: { afterMs: 60_000 }, shutdown: 120_000 })],
            }).start(link),
        },
      ],
    });
    await root.start();
    let done = false;
    void root.stop().then(() => (done = true));
    await lab.clock.advance(59_999);
    expect(done).toBe(false);
    await lab.clock.advance(1);
    expect(done).toBe(true);
    expect(lab.log).not.toContain('kill slow');
  });

  it('kill() kills every child at once', async () => {
    const lab = new Lab();
    const sup = await started(lab, 'oneForOne', ['a', 'b']);
    sup.kill();
    expect(lab.log).toEqual(['kill b', 'kill a']);
    expect(sup.state).toBe('stopped');
  });
});

describe('restart backoff', () => {
  const backoff = { minMs: 100, maxMs: 1000, randomFactor: 0.2, resetAfterMs: 5000 };

  it('waits minMs · 2^n · (1 + r · randomFactor) before each consecutive restart, capped at maxMs', async () => {
    const lab = new Lab();
    const sup = createSupervisor({
      id: 'sup',
      maxRestarts: 100,
      clock: lab.clock,
      random: () => 0.5,
      restartBackoff: backoff,
      children: [lab.worker('a')],
    });
    await sup.start();
    const restarts: string[] = [];
    sup.on('child:restarted', (e) => restarts.push(`${e.delayMs}@${lab.clock.now()}`));
    for (let i = 0; i < 5; i++) {
      const crashedAt = lab.clock.now();
      lab.crash('a');
      expect(sup.tree().children[0]!.state).toBe('restarting');
      await lab.clock.advance(1000);
      expect(restarts.at(-1)).toBe(
        `${[110, 220, 440, 880, 1000][i]}@${crashedAt + [110, 220, 440, 880, 1000][i]!}`,
      );
    }
  });

  it('starts over from minMs once the child has run for resetAfterMs', async () => {
    const lab = new Lab();
    const sup = createSupervisor({
      maxRestarts: 100,
      clock: lab.clock,
      random: () => 0,
      restartBackoff: backoff,
      children: [lab.worker('a')],
    });
    await sup.start();
    const delays: number[] = [];
    sup.on('child:restarted', (e) => delays.push(e.delayMs));
    lab.crash('a');
    await lab.clock.advance(1000);
    lab.crash('a');
    await lab.clock.advance(1000);
    await lab.clock.advance(5000); // healthy for 5 s
    lab.crash('a');
    await lab.clock.advance(1000);
    expect(delays).toEqual([100, 200, 100]);
  });

  it('still gives up on intensity while backing off', async () => {
    const lab = new Lab();
    const sup = createSupervisor({
      maxRestarts: 2,
      withinMs: 10_000,
      clock: lab.clock,
      random: () => 0,
      restartBackoff: backoff,
      children: [lab.worker('a')],
    });
    await sup.start();
    for (let i = 0; i < 3; i++) {
      lab.crash('a');
      await lab.clock.advance(1000);
    }
    expect(sup.state).toBe('failed');
  });

  it('cancels a pending restart when the supervisor stops', async () => {
    const lab = new Lab();
    const sup = createSupervisor({
      clock: lab.clock,
      random: () => 0,
      restartBackoff: backoff,
      children: [lab.worker('a')],
    });
    await sup.start();
    lab.crash('a');
    lab.log.length = 0;
    await sup.stop();
    await lab.clock.advance(10_000);
    expect(lab.log).toEqual([]);
    expect(lab.clock.pending()).toBe(0);
  });
});

describe('introspection', () => {
  it('describes a nested tree, and counts children as OTP does', async () => {
    const lab = new Lab();
    const root = createSupervisor({
      id: 'root',
      strategy: 'restForOne',
      clock: lab.clock,
      children: [
        lab.worker('store'),
        {
          id: 'users',
          type: 'supervisor',
          start: (link) =>
            createSupervisor({
              strategy: 'oneForAll',
              clock: lab.clock,
              children: [lab.worker('alice')],
            }).start(link),
        },
        lab.worker('server', { restart: 'transient' }),
      ],
    });
    await root.start();
    lab.exit('server', 'normal');
    expect(root.tree()).toEqual({
      id: 'root',
      type: 'supervisor',
      strategy: 'restForOne',
      state: 'running',
      restarts: 0,
      children: [
        { id: 'store', type: 'worker', state: 'running', restarts: 0 },
        {
          id: 'users',
          type: 'supervisor',
          state: 'running',
          restarts: 0,
          strategy: 'oneForAll',
          children: [{ id: 'alice', type: 'worker', state: 'running', restarts: 0 }],
        },
        { id: 'server', type: 'worker', state: 'stopped', restarts: 0 },
      ],
    });
    expect(root.countChildren()).toEqual({ specs: 3, active: 2, supervisors: 1, workers: 2 });
    expect(root.whichChildren().map((c) => [c.id, c.type, c.state, c.child !== undefined])).toEqual([
      ['store', 'worker', 'running', true],
      ['users', 'supervisor', 'running', true],
      ['server', 'worker', 'stopped', false],
    ]);
  });

  it('keeps going when a listener throws', async () => {
    const lab = new Lab();
    const sup = await started(lab, 'oneForOne', ['a']);
    sup.on('child:exited', () => {
      throw new Error('listener bug');
    });
    const thrown: unknown[] = [];
    const onError = (e: unknown) => thrown.push(e);
    process.on('uncaughtException', onError);
    try {
      lab.crash('a');
      await lab.clock.settle();
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(sup.tree().children[0]).toMatchObject({ state: 'running', restarts: 1 });
    expect(thrown).toHaveLength(1);
  });
});
