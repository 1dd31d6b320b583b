import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempStateDirs } from '../../test/helpers/state-dirs.js';
import { TestClock } from '../time/test-clock.js';
import { createFileStore } from './file-store.js';
import { readStateDir } from './state-view.js';
import { StateCorruptError } from './store-errors.js';

const stateDir = tempStateDirs('setpoint-state-view-');

async function contents(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).sort();
  const read = async (name: string) => [name, await readFile(join(dir, name), 'utf8')] as const;
  return Object.fromEntries(await Promise.all(names.map(read)));
}

const spec = { role: 'admin' };

describe('readStateDir', () => {
  it('finds nothing in a directory that does not exist, and does not create it', async () => {
    const dir = await stateDir();
    expect(await readStateDir(dir)).toEqual({ exists: false, entries: [], pending: [], lock: undefined });
    await expect(readdir(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('reads the state another store holds open, writing nothing and taking no lock', async () => {
    const dir = await stateDir();
    const store = createFileStore({ dir, clock: new TestClock({ start: 1_700_000_000_000 }), pid: 4242 });
    await store.open();
    await store.record({ key: 'user/zoe', kind: 'user', name: 'zoe', origin: 'created', lastApplied: spec });
    await store.record({ key: 'user/amy', kind: 'user', name: 'amy', origin: 'adopted' });
    const intent = await store.intend({ key: 'user/bob', op: 'create', spec });
    const before = await contents(dir);

    const view = await readStateDir(dir);

    expect(view.exists).toBe(true);
    expect(view.entries.map((entry) => entry.key)).toEqual(['user/amy', 'user/zoe']);
    expect(view.entries[1]).toMatchObject({ origin: 'created', lastApplied: spec });
    expect(view.pending).toEqual([intent]);
    expect(view.lock).toEqual({ pid: 4242, hostname: hostname(), startedAt: 1_700_000_000_000 });
    expect(await contents(dir)).toEqual(before);

    await store.close(); // compacts into the snapshot and releases the lock
    const after = await readStateDir(dir);
    expect(after.entries).toEqual(view.entries);
    expect(after.pending).toEqual(view.pending);
    expect(after.lock).toBeUndefined();
  });

  it('ignores a torn last journal line and leaves it in place', async () => {
    const dir = await stateDir();
    const store = createFileStore({ dir, clock: new TestClock() });
    await store.open();
    await store.record({ key: 'user/amy', kind: 'user', name: 'amy', origin: 'created' });
    await appendFile(join(dir, 'journal.log'), '{"seq":2,"t":"forget","ke');
    const torn = await readFile(join(dir, 'journal.log'), 'utf8');

    const view = await readStateDir(dir);

    expect(view.entries.map((entry) => entry.key)).toEqual(['user/amy']);
    expect(await readFile(join(dir, 'journal.log'), 'utf8')).toBe(torn);
    await store.close();
  });

  it('reports a lock file that names no holder as no lock', async () => {
    const dir = await stateDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'lock'), 'not json');
    expect((await readStateDir(dir)).lock).toBeUndefined();
  });

  it('rejects a damaged snapshot with StateCorruptError naming the file', async () => {
    const dir = await stateDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'inventory.json'), '{ nope');
    const reading = readStateDir(dir);
    await expect(reading).rejects.toBeInstanceOf(StateCorruptError);
    await expect(reading).rejects.toThrow(/inventory\.json: not valid JSON/);
  });

  it('rejects a directory option that is not a path, naming it and the value', async () => {
    await expect(readStateDir('')).rejects.toThrow(
      new TypeError('Expected `dir` to be a directory path, got `""` (string); e.g. \'.setpoint\''),
    );
    await expect(readStateDir(7 as unknown as string)).rejects.toThrow(/`dir`.*`7` \(number\)/);
  });
});
