import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidOfExitedProcess } from '../../test/helpers/exited-pid.js';
import { processStartTicks } from '../contract/process-identity.js';
import { TestClock } from '../time/test-clock.js';
import { createFileStore } from './file-store.js';
import { StateLockedError } from './store-errors.js';

// Locks a kill or a reused pid left behind are taken over without a person; a lock of a live
// holder never is.

const linux = process.platform === 'linux';
let base = '';
let deadPid = 0;
let other: ChildProcess;
let dirs = 0;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'setpoint-lock-'));
  deadPid = await pidOfExitedProcess();
  // A live process that is no setpoint: what a reused pid looks like.
  other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
  await new Promise((done) => other.once('spawn', done));
});
afterAll(async () => {
  other.kill('SIGKILL');
  await rm(base, { recursive: true, force: true });
});

/** A state directory that has been opened and closed once, with `lock` as its lock file. */
async function stateWithLock(lock: string, mtime?: number): Promise<string> {
  const dir = join(base, `s${dirs++}`);
  const store = createFileStore({ dir, clock: new TestClock({ start: 1_700_000_000_000 }) });
  await store.open();
  await store.close();
  await writeFile(join(dir, 'lock'), lock);
  if (mtime !== undefined) await utimes(join(dir, 'lock'), mtime / 1000, mtime / 1000);
  return dir;
}

/** A store whose clock reads now as the file system sees it. */
async function storeAt(dir: string) {
  const now = (await stat(dir)).mtimeMs + 60_000;
  return createFileStore({ dir, clock: new TestClock({ start: now }) });
}

describe('the lock of a state directory', () => {
  it('is never empty: it is written whole, then linked into place', async () => {
    const dir = join(base, `s${dirs++}`);
    const store = createFileStore({ dir, clock: new TestClock({ start: 5 }) });
    await store.open();
    const lock = JSON.parse(await readFile(join(dir, 'lock'), 'utf8')) as Record<string, unknown>;
    expect(lock).toMatchObject({ pid: process.pid, hostname: hostname(), startedAt: 5 });
    if (linux) expect(lock.processStart).toBe(await processStartTicks(process.pid));
    expect(await readdir(dir)).not.toContain(`lock.${process.pid}.tmp`);
    await store.close();
  });

  it('an empty lock older than a few seconds (a kill between create and write) is taken over', async () => {
    const dir = await stateWithLock('', 946_684_800_000);
    const store = await storeAt(dir);
    await store.open();
    await store.close();
  });

  it('an empty lock written just now is not', async () => {
    const dir = await stateWithLock('');
    const store = createFileStore({ dir, clock: new TestClock({ start: (await stat(dir)).mtimeMs }) });
    await expect(store.open()).rejects.toThrow(/locked by an unreadable lock/);
  });

  it.runIf(linux)(
    'a live pid whose process started at another time (a reused pid) is taken over',
    async () => {
      const lock = { pid: other.pid, hostname: hostname(), startedAt: 0, processStart: '1' };
      const store = await storeAt(await stateWithLock(JSON.stringify(lock)));
      await store.open();
      await store.close();
    },
  );

  it.runIf(linux)(
    'an older lock without a start, whose live pid started after it was written, is taken over',
    async () => {
      const lock = { pid: other.pid, hostname: hostname(), startedAt: 0 };
      const store = await storeAt(await stateWithLock(JSON.stringify(lock), 946_684_800_000));
      await store.open();
      await store.close();
    },
  );

  it('a live pid that is the same process is held, with or without a recorded start', async () => {
    const processStart = await processStartTicks(other.pid!);
    const withStart = { pid: other.pid, hostname: hostname(), startedAt: 0, processStart };
    const error = await (await storeAt(await stateWithLock(JSON.stringify(withStart))))
      .open()
      .catch((e) => e);
    expect(StateLockedError.is(error)).toBe(true);
    const without = { pid: other.pid, hostname: hostname(), startedAt: 0 };
    await expect((await storeAt(await stateWithLock(JSON.stringify(without)))).open()).rejects.toThrow(
      new RegExp(`locked by pid ${other.pid}`),
    );
  });

  it('removes the staging file a writer killed while taking the lock left', async () => {
    const dir = await stateWithLock(JSON.stringify({ pid: deadPid, hostname: hostname(), startedAt: 0 }));
    await writeFile(join(dir, `lock.${deadPid}.tmp`), '{"pid":');
    const store = await storeAt(dir);
    await store.open();
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    await store.close();
  });
});
