import { describe, expect, it } from 'vitest';
import type { Observed } from '../src/contract/provider.js';
import { createRuntime } from '../src/runtime/index.js';
import { seededRandom } from '../src/time/random.js';
import { TestClock } from '../src/time/test-clock.js';
import { mapProvider, stopAfterEach, user } from './helpers/runtime-harness.js';

/**
 * A runtime that shares the work with others runs actors only for the keys it owns; when its
 * share changes it starts the gained ones and stops the lost ones without deleting anything.
 */
const track = stopAfterEach();

describe('a runtime that owns some keys', () => {
  it('runs only what it owns, and hands over without deleting when its share changes', async () => {
    const clock = new TestClock();
    const world = new Map<string, Observed>();
    let mine = new Set(['user/a', 'user/b']);
    const rt = createRuntime({
      providers: [mapProvider('user', world)],
      clock,
      random: seededRandom(1),
      interval: 1000,
      owns: (key) => mine.has(key),
    });
    track(rt, clock);
    await rt.start();
    expect(rt.setDesired(['a', 'b', 'c', 'd'].map((n) => user(n, { role: n }))).ok).toBe(true);
    await rt.settled(); // the keys of others count as settled here
    expect([...world.keys()].sort()).toEqual(['a', 'b']);

    mine = new Set(['user/c', 'user/d']);
    expect(rt.ownershipChanged()).toEqual({ started: 2, stopped: 2 });
    await rt.settled();
    expect([...world.keys()].sort()).toEqual(['a', 'b', 'c', 'd']); // a and b were not deleted

    world.set('a', { role: 'changed' }); // no longer this runtime's: left alone
    world.set('c', { role: 'changed' }); // this runtime's: repaired on its next tick
    for (let i = 0; i < 5; i++) {
      await clock.advance(1000);
      await rt.settled();
    }
    expect(world.get('a')).toEqual({ role: 'changed' });
    expect(world.get('c')).toEqual({ role: 'c' });
    expect(rt.ownershipChanged()).toEqual({ started: 0, stopped: 0 });
  });
});
