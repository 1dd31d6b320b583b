import { describe, expect, it } from 'vitest';
import type { Runtime } from '../../runtime/index.js';
import { summarizeTree } from './overview.js';
import { TIMELINE_CAPACITY, Timeline } from './timeline.js';

/** A runtime that only takes subscriptions, and lets the test emit. */
function emitter() {
  const handlers = new Map<string, ((e: unknown) => void)[]>();
  const runtime = {
    on(name: string, fn: (e: unknown) => void) {
      handlers.set(name, [...(handlers.get(name) ?? []), fn]);
      return () =>
        handlers.set(
          name,
          (handlers.get(name) ?? []).filter((h) => h !== fn),
        );
    },
  } as unknown as Pick<Runtime, 'on'>;
  const emit = (name: string, e: Record<string, unknown>) => {
    for (const fn of handlers.get(name) ?? []) fn(e);
  };
  return { runtime, emit, listening: () => [...handlers.values()].reduce((n, list) => n + list.length, 0) };
}

const base = (key: string, at: number) => ({ key, kind: 'k', name: key.slice(2), generation: 1, at });
const same = (text: string) => text;

describe('Timeline', () => {
  it("keeps each resource's events in order, in one line each, and its last", () => {
    const { runtime, emit } = emitter();
    const timeline = new Timeline(runtime);
    emit('drift', { ...base('k/a', 1), policy: 'enforce', changes: 2 });
    emit('action:applied', { ...base('k/a', 2), action: 'update', durationMs: 12.4 });
    emit('action:failed', {
      ...base('k/b', 3),
      operation: 'create',
      error: 'quota',
      attempt: 2,
      delayMs: 4000,
      permanent: false,
    });
    emit('deletion:held', {
      kind: 'k',
      keys: ['k/a', 'k/c'],
      budget: { max: 1, windowMs: 3_600_000 },
      at: 4,
    });
    expect(timeline.of('k/a', same)).toEqual([
      { at: 1, event: 'drift', text: 'drift: 2 fields changed outside (enforce)', level: 'warn' },
      { at: 2, event: 'action:applied', text: 'update applied in 12 ms', level: 'info' },
      { at: 4, event: 'deletion:held', text: 'delete held: over the budget of 1 per 60 min', level: 'warn' },
    ]);
    expect(timeline.of('k/b', same)[0]?.text).toBe('create failed (attempt 2), next try in 4.0 s: quota');
    expect(timeline.last('k/c')?.event).toBe('deletion:held');
    expect(timeline.of('k/b', (t) => t.replace('quota', '[redacted]'))[0]?.text).toContain('[redacted]');
  });

  it('forgets the oldest events past its capacity, and a resource whose last event is gone', () => {
    const { runtime, emit } = emitter();
    const timeline = new Timeline(runtime);
    emit('resource:synced', base('k/old', 0));
    for (let i = 1; i <= TIMELINE_CAPACITY; i++) emit('resource:synced', base('k/busy', i));
    expect(timeline.of('k/old', same)).toEqual([]);
    expect(timeline.last('k/old')).toBeUndefined();
    expect(timeline.of('k/busy', same)).toHaveLength(TIMELINE_CAPACITY);
    expect(timeline.last('k/busy')?.at).toBe(TIMELINE_CAPACITY);
  });

  it('stops listening when closed', () => {
    const { runtime, listening } = emitter();
    const timeline = new Timeline(runtime);
    expect(listening()).toBeGreaterThan(10);
    timeline.close();
    expect(listening()).toBe(0);
  });
});

describe('summarizeTree', () => {
  it('draws each supervisor under the root as one line, with only its restarted children', () => {
    const workers = Array.from({ length: 30 }, (_, i) => ({
      id: `user/u${i}`,
      type: 'worker' as const,
      state: i === 3 ? ('restarting' as const) : ('running' as const),
      restarts: i % 10 === 3 ? i : 0,
    }));
    const summary = summarizeTree({
      id: 'root',
      type: 'supervisor',
      strategy: 'oneForOne',
      state: 'running',
      restarts: 1,
      children: [
        {
          id: 'user',
          type: 'supervisor',
          state: 'running',
          restarts: 1,
          strategy: 'oneForOne',
          children: workers,
        },
      ],
    });
    expect(summary).toMatchObject({ id: 'root', restarts: 1 });
    expect(summary?.supervisors).toEqual([
      {
        id: 'user',
        state: 'running',
        strategy: 'oneForOne',
        restarts: 3 + 13 + 23,
        children: 30,
        running: 29,
        restarted: [
          { id: 'user/u23', restarts: 23, state: 'running' },
          { id: 'user/u13', restarts: 13, state: 'running' },
          { id: 'user/u3', restarts: 3, state: 'restarting' },
        ],
      },
    ]);
    expect(summarizeTree(undefined)).toBeUndefined();
  });
});
