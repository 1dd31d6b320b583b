import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidOfExitedProcess } from '../../test/helpers/exited-pid.js';
import { TestClock } from '../time/test-clock.js';
import { createFileStore } from './file-store.js';
import { createMemoryStore } from './memory-store.js';
import type { StateStore } from './state-store.js';
import { StateLockedError } from './store-errors.js';
import { nodeStoreFs, type StoreFile, type StoreFs } from './store-fs.js';

// Crash consistency: whatever instant the process dies at, reopening the state directory gives
// exactly the state of the in-memory model after the writes that were acknowledged (plus, at
// most, the one in flight). A tiny compaction threshold makes snapshots happen all the time.

let base = '';
let deadPid = 0;
let runs = 0;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'setpoint-crash-'));
  deadPid = await pidOfExitedProcess();
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

type Op =
  | { t: 'record'; k: number; origin: 'created' | 'adopted'; spec?: { v: number }; generation?: number }
  | { t: 'good'; k: number; v: number }
  | { t: 'forget'; k: number }
  | { t: 'intend'; k: number; op: 'create' | 'update' | 'delete'; v: number }
  | { t: 'settle'; nth: number; outcome: 'done' | 'failed' };

const key = fc.nat(3);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    t: fc.constant('record' as const),
    k: key,
    origin: fc.constantFrom('created' as const, 'adopted' as const),
    spec: fc.option(fc.record({ v: fc.nat(9) }), { nil: undefined }),
    generation: fc.option(fc.nat(5), { nil: undefined }),
  }),
  fc.record({ t: fc.constant('good' as const), k: key, v: fc.nat(9) }),
  fc.record({ t: fc.constant('forget' as const), k: key }),
  fc.record({
    t: fc.constant('intend' as const),
    k: key,
    op: fc.constantFrom('create' as const, 'update' as const, 'delete' as const),
    v: fc.nat(9),
  }),
  fc.record({
    t: fc.constant('settle' as const),
    nth: fc.nat(3),
    outcome: fc.constantFrom('done' as const, 'failed' as const),
  }),
);

/** Which pending intent a `settle` op means, picked before either store applies it. */
const target = (op: Op, model: StateStore): string => {
  const pending = model.pendingIntents();
  return op.t === 'settle' ? (pending[op.nth % Math.max(1, pending.length)]?.id ?? 'none') : '';
};

async function apply(store: StateStore, op: Op, intentId: string): Promise<void> {
  const k = `user/u${'k' in op ? op.k : 0}`;
  switch (op.t) {
    case 'record':
      return store.record({
        key: k,
        kind: 'user',
        name: k.slice(5),
        origin: op.origin,
        lastApplied: op.spec,
        generation: op.generation,
      });
    case 'good':
      return store.markGood(k, { v: op.v });
    case 'forget':
      return store.forget(k);
    case 'intend':
      await store.intend({ key: k, op: op.op, spec: op.op === 'delete' ? undefined : { v: op.v } });
      return;
    case 'settle':
      return store.settle(intentId, op.outcome);
  }
}

interface Picture {
  inventory: Map<string, unknown>;
  pending: unknown[];
}
const picture = (store: StateStore): Picture => ({
  inventory: new Map(store.inventory()),
  pending: [...store.pendingIntents()],
});

async function reopened(dir: string): Promise<Picture> {
  // No half-written snapshot may ever be visible.
  const snapshot = await readFile(join(dir, 'inventory.json'), 'utf8').catch(() => undefined);
  if (snapshot !== undefined) JSON.parse(snapshot);
  const store = createFileStore({ dir, clock: new TestClock() });
  await store.open();
  const seen = picture(store);
  await store.close();
  return seen;
}

/**
 * File operations that die at step `crashAt`: a write at that step lands only in part, and
 * from then on nothing happens; open files are closed, as the OS does for a dead process.
 */
function mortalFs(crashAt: number, fraction: number): { fs: StoreFs; dead: () => boolean } {
  let steps = 0;
  let dead = false;
  const files = new Set<StoreFile>();
  const die = async (): Promise<never> => {
    dead = true;
    await Promise.all([...files].map((file) => file.close().catch(() => {})));
    throw new Error('process killed');
  };
  const step = async <T>(act: () => Promise<T>, partial?: () => Promise<void>): Promise<T> => {
    if (dead) throw new Error('process killed');
    if (++steps >= crashAt) {
      await partial?.();
      return die();
    }
    return act();
  };
  const fs: StoreFs = {
    mkdir: (path) => step(() => nodeStoreFs.mkdir(path)),
    readFile: (path) => (dead ? Promise.reject(new Error('process killed')) : nodeStoreFs.readFile(path)),
    rename: (from, to) => step(() => nodeStoreFs.rename(from, to)),
    link: (from, to) => step(() => nodeStoreFs.link(from, to)),
    names: (path) => step(() => nodeStoreFs.names(path)),
    modifiedAt: (path) => step(() => nodeStoreFs.modifiedAt(path)),
    unlink: (path) => step(() => nodeStoreFs.unlink(path)),
    syncDir: (path) => step(() => nodeStoreFs.syncDir(path)),
    open: (path, flags) =>
      step(async () => {
        const file = await nodeStoreFs.open(path, flags);
        files.add(file);
        return {
          write: (data) =>
            step(
              () => file.write(data),
              () => file.write(data.subarray(0, Math.floor(data.length * fraction))),
            ),
          sync: () => step(() => file.sync()),
          truncate: (length) => step(() => file.truncate(length)),
          close: () => step(() => file.close()),
        };
      }),
  };
  return { fs, dead: () => dead };
}

/** The real file system, plus a way to wait until the store has no file operation under way. */
function watchedFs(): { fs: StoreFs; idle: () => Promise<void> } {
  let busy = 0;
  const track = <T>(promise: Promise<T>): Promise<T> => {
    busy++;
    return promise.finally(() => busy--);
  };
  const fs: StoreFs = {
    mkdir: (path) => track(nodeStoreFs.mkdir(path)),
    readFile: (path) => track(nodeStoreFs.readFile(path)),
    rename: (from, to) => track(nodeStoreFs.rename(from, to)),
    link: (from, to) => track(nodeStoreFs.link(from, to)),
    names: (path) => track(nodeStoreFs.names(path)),
    modifiedAt: (path) => track(nodeStoreFs.modifiedAt(path)),
    unlink: (path) => track(nodeStoreFs.unlink(path)),
    syncDir: (path) => track(nodeStoreFs.syncDir(path)),
    open: (path, flags) =>
      track(
        nodeStoreFs.open(path, flags).then((file) => ({
          write: (data) => track(file.write(data)),
          sync: () => track(file.sync()),
          truncate: (length) => track(file.truncate(length)),
          close: () => track(file.close()),
        })),
      ),
  };
  // A store moves from one file operation to the next within microtasks: no operation under
  // way across a macrotask turn means it has finished (a compaction after a write, say).
  const idle = async () => {
    do await new Promise((resolve) => setImmediate(resolve));
    while (busy > 0);
  };
  return { fs, idle };
}

describe('the file store after a crash', () => {
  it('reopens, after every prefix of writes, to exactly the in-memory model', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 12 }), async (ops) => {
        const dir = join(base, `prefix-${runs++}`);
        const clock = new TestClock({ start: 1000 });
        const model = createMemoryStore({ clock });
        const watched = watchedFs();
        const store = createFileStore({ dir, clock, pid: deadPid, compactAfterBytes: 400, fs: watched.fs });
        await Promise.all([model.open(), store.open()]);
        for (const [i, op] of ops.entries()) {
          await clock.advance(1);
          const id = target(op, model);
          const expected = await apply(model, op, id).then(
            () => 'ok',
            (e: unknown) => e,
          );
          const actual = await apply(store, op, id).then(
            () => 'ok',
            (e: unknown) => e,
          );
          expect(String(actual)).toBe(String(expected));
          // Copying the directory as it is now is what a kill -9 at this instant leaves.
          await watched.idle();
          const copy = `${dir}-copy-${i}`;
          await cp(dir, copy, { recursive: true });
          expect(await reopened(copy)).toEqual(picture(model));
          await rm(copy, { recursive: true });
        }
        await store.close();
        expect(await reopened(dir)).toEqual(picture(model));
        await rm(dir, { recursive: true });
      }),
      // Each run copies and reopens a state directory up to 12 times: 150 runs keep this file under 20 s.
      { numRuns: 150 },
    );
  });

  it('keeps every acknowledged write and applies the one in flight wholly or not at all', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { maxLength: 16 }),
        fc.integer({ min: 1, max: 120 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (ops, crashAt, fraction) => {
          const dir = join(base, `crash-${runs++}`);
          const clock = new TestClock({ start: 1000 });
          const model = createMemoryStore({ clock });
          const mortal = mortalFs(crashAt, fraction);
          const store = createFileStore({ dir, clock, pid: deadPid, compactAfterBytes: 300, fs: mortal.fs });
          await model.open();
          let before = picture(model);
          let after = before;
          let alive = await store.open().then(
            () => true,
            () => false,
          );
          const diedOpening = !alive;
          for (const op of ops) {
            if (!alive) break;
            await clock.advance(1);
            before = picture(model);
            const id = target(op, model);
            const expected = await apply(model, op, id).then(
              () => 'ok',
              (e: unknown) => e,
            );
            after = picture(model);
            const actual = await apply(store, op, id).then(
              () => 'ok',
              (e: unknown) => e,
            );
            if (actual === 'ok') before = after; // acknowledged: it must survive
            if (mortal.dead()) alive = false;
            else expect(String(actual)).toBe(String(expected));
          }
          if (alive) {
            before = picture(model);
            after = before;
            await store.close().catch(() => {});
          }
          const seen = await reopened(dir).catch(async (error: unknown) => {
            // Killed between creating the lock and writing it: an empty lock, which the store
            // refuses (it cannot tell it from one being written) and the message says to remove.
            if (!(diedOpening && StateLockedError.is(error) && error.holder === undefined)) throw error;
            await rm(join(dir, 'lock'));
            return reopened(dir);
          });
          expect([before, after]).toContainEqual(seen);
          await rm(dir, { recursive: true });
        },
      ),
      { numRuns: 1000 },
    );
  });
});
