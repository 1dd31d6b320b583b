import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidOfExitedProcess } from '../../test/helpers/exited-pid.js';
import { tempStateDirs } from '../../test/helpers/state-dirs.js';
import { TestClock } from '../time/test-clock.js';
import { createFileStore, type FileStoreOptions } from './file-store.js';
import { StateCorruptError, StateLockedError } from './store-errors.js';
import { nodeStoreFs, type StoreFile, type StoreFs } from './store-fs.js';

let deadPid = 0;
const children: ChildProcess[] = [];

beforeAll(async () => {
  deadPid = await pidOfExitedProcess();
});
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});
const stateDir = tempStateDirs('setpoint-file-store-');

function fileStore(dir: string, options: Partial<FileStoreOptions> = {}) {
  return createFileStore({ dir, clock: new TestClock({ start: 1_700_000_000_000 }), ...options });
}

/**
 * A store that can be "killed": its process dies, so its files are closed by the OS and it
 * does nothing more; its lock names a pid that is gone.
 */
function killableStore(dir: string, options: Partial<FileStoreOptions> = {}) {
  const files = new Set<StoreFile>();
  let dead = false;
  const fs: StoreFs = {
    ...nodeStoreFs,
    open: async (path, flags) => {
      if (dead) throw new Error('killed');
      const file = await nodeStoreFs.open(path, flags);
      files.add(file);
      return file;
    },
  };
  const store = fileStore(dir, { ...options, pid: deadPid, fs });
  const kill = async () => {
    dead = true;
    await Promise.all([...files].map((file) => file.close().catch(() => {})));
  };
  return Object.assign(store, { kill });
}

const alice = { key: 'user/alice', kind: 'user', name: 'alice', origin: 'created' as const };
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe('the file state store', () => {
  it('creates its directory, and after close leaves a snapshot, an empty journal and no lock', async () => {
    const dir = await stateDir();
    const store = fileStore(dir);
    await store.open();
    expect(await exists(join(dir, 'lock'))).toBe(true);
    await store.record({ ...alice, lastApplied: { role: 'admin' } });
    await store.close();
    expect(await exists(join(dir, 'lock'))).toBe(false);
    expect((await readFile(join(dir, 'journal.log'))).length).toBe(0);
    const snapshot = JSON.parse(await readFile(join(dir, 'inventory.json'), 'utf8'));
    expect(snapshot.entries).toEqual([
      expect.objectContaining({ key: 'user/alice', lastApplied: { role: 'admin' } }),
    ]);
  });

  it('keeps its files private to their owner, even ones an earlier version left readable', async () => {
    const dir = await stateDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'journal.log'), '');
    await chmod(join(dir, 'journal.log'), 0o644);
    await chmod(dir, 0o755);
    const store = fileStore(dir);
    await store.open();
    await store.record({ ...alice, lastApplied: { password: 'hunter2' } });
    await store.close();
    const mode = async (path: string) => (await stat(path)).mode & 0o777;
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(dir, 'journal.log'))).toBe(0o600);
    expect(await mode(join(dir, 'inventory.json'))).toBe(0o600);
  });

  it('is read back by a new store on the same directory', async () => {
    const dir = await stateDir();
    const first = fileStore(dir);
    await first.open();
    await first.record({ ...alice, lastApplied: { role: 'admin' } });
    await first.markGood('user/alice', { role: 'admin' });
    const intent = await first.intend({ key: 'user/bob', op: 'create', spec: { role: 'viewer' } });
    const inventory = new Map(first.inventory());
    await first.close();

    const second = fileStore(dir);
    await second.open();
    expect(new Map(second.inventory())).toEqual(inventory);
    expect(second.pendingIntents()).toEqual([intent]);
    await second.close();
  });

  it('replays the journal after a crash that skipped close', async () => {
    const dir = await stateDir();
    const crashed = killableStore(dir);
    await crashed.open();
    await crashed.record(alice);
    const intent = await crashed.intend({ key: 'user/bob', op: 'delete' });
    await crashed.kill(); // no close: its lock and journal stay behind

    const next = fileStore(dir);
    await next.open();
    expect(next.stats().replayed).toBe(2);
    expect(next.get('user/alice')).toEqual(crashed.get('user/alice'));
    expect(next.pendingIntents()).toEqual([intent]);
    await next.close();
  });

  it('ignores a torn last line, cuts it off, and keeps appending cleanly', async () => {
    const dir = await stateDir();
    const crashed = killableStore(dir);
    await crashed.open();
    await crashed.record(alice);
    await crashed.kill();
    await appendFile(join(dir, 'journal.log'), '{"seq":2,"t":"forget","key":"user/al');

    const second = killableStore(dir);
    await second.open();
    expect(second.stats().tornBytes).toBeGreaterThan(0);
    expect(second.get('user/alice')).toBeDefined();
    const intent = await second.intend({ key: 'user/bob', op: 'delete' });
    await second.kill();

    const third = fileStore(dir);
    await third.open();
    expect(third.stats().tornBytes).toBe(0);
    expect(third.get('user/alice')).toBeDefined();
    expect(third.pendingIntents()).toEqual([intent]);
    await third.close();
  });

  it('ignores a last line that parses but lost its newline', async () => {
    const dir = await stateDir();
    const crashed = killableStore(dir);
    await crashed.open();
    await crashed.record(alice);
    await crashed.kill();
    await appendFile(join(dir, 'journal.log'), '{"seq":2,"t":"forget","key":"user/alice"}');
    const next = fileStore(dir);
    await next.open();
    expect(next.get('user/alice')).toBeDefined();
    await next.close();
  });

  it('refuses a journal damaged before its end, naming the line, and releases the lock', async () => {
    const dir = await stateDir();
    const crashed = killableStore(dir);
    await crashed.open();
    await crashed.record(alice);
    await appendFile(join(dir, 'journal.log'), 'garbage\n');
    await crashed.record({ ...alice, key: 'user/bob', name: 'bob' });
    await crashed.kill();

    const error = await fileStore(dir)
      .open()
      .catch((e: unknown) => e);
    expect(StateCorruptError.is(error)).toBe(true);
    expect((error as StateCorruptError).line).toBe(2);
    expect(String(error)).toContain(`journal.log:2`);
    expect(await exists(join(dir, 'lock'))).toBe(false);
  });

  it('refuses a damaged snapshot instead of starting empty', async () => {
    const dir = await stateDir();
    const store = fileStore(dir);
    await store.open();
    await store.record(alice);
    await store.close();
    await writeFile(join(dir, 'inventory.json'), '{"version":1,"seq":3,"entr');
    await expect(fileStore(dir).open()).rejects.toThrow(/inventory\.json: not valid JSON/);
  });

  it('ignores a half-written snapshot a crash left beside the real one', async () => {
    const dir = await stateDir();
    const store = fileStore(dir);
    await store.open();
    await store.record(alice);
    await store.close();
    await writeFile(join(dir, 'inventory.json.tmp'), '{"version":1,"se');
    const next = fileStore(dir);
    await next.open();
    expect(next.get('user/alice')).toBeDefined();
    expect(await exists(join(dir, 'inventory.json.tmp'))).toBe(false);
    await next.close();
  });

  it('compacts once the journal passes its threshold, and reads back the same state', async () => {
    const dir = await stateDir();
    const store = killableStore(dir, { compactAfterBytes: 2048 });
    await store.open();
    for (let i = 0; i < 200; i++) {
      await store.record({ ...alice, lastApplied: { i } });
      const intent = await store.intend({ key: `user/u${i}`, op: 'create', spec: { i } });
      await store.settle(intent.id, 'done');
    }
    expect(store.stats().compactions).toBeGreaterThan(5);
    expect(store.stats().journalBytes).toBeLessThan(2048 + 500);
    expect((await stat(join(dir, 'journal.log'))).size).toBe(store.stats().journalBytes);
    const inventory = new Map(store.inventory());
    await store.kill(); // without close: snapshot plus what is left of the journal
    const next = fileStore(dir);
    await next.open();
    expect(new Map(next.inventory())).toEqual(inventory);
    expect(next.pendingIntents()).toEqual([]);
    await next.close();
  });
});

describe('the state directory lock', () => {
  it('takes over a stale lock whose process is gone', async () => {
    const dir = await stateDir();
    const crashed = killableStore(dir);
    await crashed.open();
    await crashed.kill();
    const store = fileStore(dir);
    await store.open();
    expect(JSON.parse(await readFile(join(dir, 'lock'), 'utf8'))).toEqual({
      pid: process.pid,
      hostname: hostname(),
      startedAt: 1_700_000_000_000,
      ...(process.platform === 'linux' ? { processStart: expect.stringMatching(/^\d+$/) } : {}),
    });
    await store.close();
  });

  it('refuses while a live process holds it, naming its pid, and opens once that process is gone', async () => {
    const dir = await stateDir();
    const holder = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)']);
    children.push(holder);
    const lock = join(dir, 'lock');
    await mkdir(dir, { recursive: true });
    await writeFile(
      lock,
      JSON.stringify({ pid: holder.pid, hostname: hostname(), startedAt: 1_700_000_000_000 }),
    );

    const error = await fileStore(dir)
      .open()
      .catch((e: unknown) => e);
    expect(StateLockedError.is(error)).toBe(true);
    expect((error as StateLockedError).holder?.pid).toBe(holder.pid);
    expect(String(error)).toMatch(
      new RegExp(
        `state directory .* is locked by pid ${holder.pid} \\(started 2023-11-14T22:13:20.000Z on .*\\); stop that process or remove .*lock if it is gone`,
      ),
    );
    expect(JSON.parse(await readFile(lock, 'utf8')).pid).toBe(holder.pid); // untouched

    holder.kill('SIGKILL');
    await once(holder, 'exit');
    const store = fileStore(dir);
    await store.open();
    await store.close();
  });

  it('refuses a second store in the same process until the first closes', async () => {
    const dir = await stateDir();
    const first = fileStore(dir);
    await first.open();
    const second = fileStore(dir);
    await expect(second.open()).rejects.toThrow(new RegExp(`locked by pid ${process.pid}`));
    await first.close();
    await second.open();
    await second.close();
  });

  it('takes over a lock with its own pid that no store in this process holds (pid reuse)', async () => {
    const dir = await stateDir();
    const store = fileStore(dir);
    await store.open();
    await store.close();
    await writeFile(
      join(dir, 'lock'),
      JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: 0 }),
    );
    await store.open();
    await store.close();
  });

  it('refuses a lock from another host, or one it cannot read', async () => {
    const dir = await stateDir();
    const store = fileStore(dir);
    await store.open();
    await store.close();
    const lock = join(dir, 'lock');
    await writeFile(lock, JSON.stringify({ pid: deadPid, hostname: `not-${hostname()}`, startedAt: 0 }));
    await expect(store.open()).rejects.toThrow(
      /locked by pid \d+ \(started 1970-01-01T00:00:00.000Z on not-/,
    );
    await writeFile(lock, '');
    await expect(store.open()).rejects.toThrow(/locked by an unreadable lock/);
  });
});
