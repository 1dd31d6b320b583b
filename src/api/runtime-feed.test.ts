import { describe, expect, it } from 'vitest';
import { mapProvider, stopAfterEach, user } from '../../test/helpers/runtime-harness.js';
import { tempStateDirs } from '../../test/helpers/state-dirs.js';
import type { Observed } from '../contract/provider.js';
import { createRuntime } from '../runtime/index.js';
import { openEmbeddedSpecStore } from '../store/desired/embedded-store.js';
import type { Write } from '../store/desired/spec-store.js';
import { seededRandom } from '../time/random.js';
import { TestClock } from '../time/test-clock.js';
import { feedRuntime } from './runtime-feed.js';

const track = stopAfterEach();
const stateDir = tempStateDirs('setpoint-feed-');

async function setUp() {
  const clock = new TestClock();
  const world = new Map<string, Observed>();
  const rt = createRuntime({
    providers: [mapProvider('user', world)],
    clock,
    random: seededRandom(1),
    interval: 1000,
  });
  track(rt, clock);
  await rt.start();
  const store = await openEmbeddedSpecStore({ dir: await stateDir() });
  const write = (...writes: Write[]) => store.transact(async () => ({ writes, result: undefined }));
  const put = (name: string, role: string, labels: Record<string, string> = {}, kind = 'user'): Write => ({
    op: 'put',
    resource: kind === 'user' ? user(name, { role }) : { kind, name, spec: { role } },
    labels,
    source: 'api',
  });
  return { clock, world, rt, store, write, put };
}

describe('a runtime fed from a desired-state store', () => {
  it('runs what the store holds, follows its changes, and writes the status back at the generation acted on', async () => {
    const { clock, world, rt, store, write, put } = await setUp();
    await write(put('a', 'x'), put('b', 'y'));
    const unserved: string[] = [];
    const feed = await feedRuntime({
      runtime: rt,
      store,
      clock,
      serves: (kind) => kind === 'user',
      onUnserved: (keys) => unserved.push(...keys),
    });
    await rt.settled();
    expect(Object.fromEntries([...world].map(([k, v]) => [k, v.role]))).toEqual({ a: 'x', b: 'y' });

    await write(put('a', 'x2'), put('c', 'z'), { op: 'delete', key: 'user/b' });
    await feed.flush();
    await rt.settled();
    expect(Object.fromEntries([...world].map(([k, v]) => [k, v.role]))).toEqual({ a: 'x2', c: 'z' });

    await clock.advance(200);
    await feed.flush();
    const a = await store.get('user/a');
    expect(a).toMatchObject({
      generation: 2,
      observedGeneration: 2,
      status: { ready: true, phase: 'synced' },
    });

    // Labels alone are not a change of the desired set: nothing is applied again.
    const before = JSON.stringify(rt.status('user/a')?.generation);
    await write(put('a', 'x2', { team: 't' }));
    await feed.flush();
    expect(JSON.stringify(rt.status('user/a')?.generation)).toBe(before);

    // A kind no provider serves is left out, not a refusal of the whole set.
    await write(put('ghost', 'g', {}, 'ghosts'));
    await feed.flush();
    expect(unserved).toEqual(['ghosts/ghost']);
    expect(rt.status('ghosts/ghost')).toBeUndefined();
    expect(feed.keys().sort()).toEqual(['user/a', 'user/c']);
    await feed.stop();
    await store.close();
  });
});
