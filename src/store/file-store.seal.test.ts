import { randomBytes } from 'node:crypto';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempStateDirs } from '../../test/helpers/state-dirs.js';
import { TestClock } from '../time/test-clock.js';
import { createFileStore, type FileStoreOptions } from './file-store.js';
import { STATE_KEY_BYTES } from './seal.js';
import { specHash } from './spec-hash.js';
import { readStateDir } from './state-view.js';

const stateDir = tempStateDirs('setpoint-seal-');

function store(dir: string, options: Partial<FileStoreOptions> = {}) {
  return createFileStore({ dir, clock: new TestClock({ start: 1_700_000_000_000 }), ...options });
}

const SECRET = 'hunter2-s3cr3t';
const applied = { path: 'db.env', content: `PASSWORD=${SECRET}\n`, mode: '0600' };
const good = { path: 'db.env', content: `PASSWORD=${SECRET}-old\n`, mode: '0600' };

/** Every byte the state directory holds, but its key. */
async function stateText(dir: string): Promise<string> {
  const read = (name: string) => readFile(join(dir, name), 'utf8').catch(() => '');
  return (await read('inventory.json')) + (await read('journal.log'));
}

/** A state with the secret in an entry's last-applied and last-good specs and in a pending intent. */
async function writeSecrets(dir: string, options: Partial<FileStoreOptions> = {}) {
  const s = store(dir, { secrets: () => [SECRET], ...options });
  await s.open();
  await s.record({ key: 'files/db', kind: 'files', name: 'db', origin: 'created', lastApplied: good });
  await s.markGood('files/db', good);
  await s.record({ key: 'files/db', kind: 'files', name: 'db', origin: 'created', lastApplied: applied });
  await s.intend({ key: 'files/other', op: 'create', spec: { path: 'x', content: SECRET } });
  return s;
}

describe('a file store given secrets', () => {
  it('writes none of them to the journal or the snapshot, and reads back the specs it was given', async () => {
    const dir = await stateDir();
    const s = await writeSecrets(dir);
    expect(await stateText(dir)).not.toContain(SECRET); // the journal, before any compaction
    await s.close();
    expect(await stateText(dir)).not.toContain(SECRET); // the snapshot close wrote
    expect(await stateText(dir)).toContain('PASSWORD=[redacted]');

    const found: string[][] = [];
    const again = store(dir, { onOpen: ({ secretsFound }) => found.push([...secretsFound]) });
    await again.open();
    const entry = again.get('files/db');
    expect(entry?.lastApplied).toEqual(applied);
    expect(entry?.lastAppliedHash).toBe(specHash(applied));
    expect(entry?.lastGood).toEqual(good);
    expect(again.pendingIntents()[0]?.spec).toEqual({ path: 'x', content: SECRET });
    expect(found[0]?.sort()).toEqual([`PASSWORD=${SECRET}\n`, `PASSWORD=${SECRET}-old\n`, SECRET].sort());
    // Opened without being told of any secret, it still seals what it found sealed.
    await again.markGood('files/db', applied);
    await again.close();
    expect(await stateText(dir)).not.toContain(SECRET);
  });

  it('keeps its key private beside the state, or uses the one it is given and writes none', async () => {
    const dir = await stateDir();
    await (await writeSecrets(dir)).close();
    expect((await stat(join(dir, 'state.key'))).mode & 0o777).toBe(0o600);

    const other = await stateDir();
    const key = new Uint8Array(randomBytes(STATE_KEY_BYTES));
    await (await writeSecrets(other, { key })).close();
    await expect(stat(join(other, 'state.key'))).rejects.toThrow(/ENOENT/);
    const again = store(other, { key });
    await again.open();
    expect(again.get('files/db')?.lastApplied).toEqual(applied);
    await again.close();
  });

  it('opened with another key: says how many seals it lost, drops the rollback target, never restores [redacted] as good', async () => {
    const dir = await stateDir();
    await (await writeSecrets(dir)).close();
    let lost = -1;
    const wrong = store(dir, {
      key: new Uint8Array(randomBytes(STATE_KEY_BYTES)),
      onOpen: ({ sealsLost }) => {
        lost = sealsLost;
      },
    });
    await wrong.open();
    expect(lost).toBe(3);
    const entry = wrong.get('files/db');
    expect(entry?.lastGood).toBeUndefined();
    expect(entry?.lastApplied).toEqual({ ...applied, content: 'PASSWORD=[redacted]\n' });
    expect(entry?.lastAppliedHash).not.toBe(specHash(applied)); // so the resource is observed again
    await wrong.close();
  });

  it('drops a good spec from the journal that cannot be opened, rather than keep the older one', async () => {
    const dir = await stateDir();
    const s = store(dir, { secrets: () => [SECRET] });
    await s.open();
    await s.record({ key: 'files/db', kind: 'files', name: 'db', origin: 'created', lastApplied: applied });
    await s.markGood('files/db', good);
    // Killed before any snapshot: the good spec lives only in the journal.
    const journal = await readFile(join(dir, 'journal.log'), 'utf8');
    expect(journal).toContain('"t":"good"');
    await rm(join(dir, 'lock'));
    const wrong = store(dir, { key: new Uint8Array(randomBytes(STATE_KEY_BYTES)) });
    await wrong.open();
    expect(wrong.get('files/db')?.lastGood).toBeUndefined();
    await wrong.close();
    await s.close().catch(() => undefined);
  });

  it('shows the sealed strings redacted to a read-only view, which needs no key', async () => {
    const dir = await stateDir();
    const s = await writeSecrets(dir);
    const view = await readStateDir(dir);
    expect(JSON.stringify(view)).not.toContain(SECRET);
    expect(view.entries[0]?.lastApplied).toEqual({ ...applied, content: 'PASSWORD=[redacted]\n' });
    await s.close();
  });

  it('refuses a damaged key file with the file named, and a key of the wrong size', async () => {
    const dir = await stateDir();
    await (await writeSecrets(dir)).close();
    await writeFile(join(dir, 'state.key'), 'not a key\n');
    await expect(store(dir).open()).rejects.toThrow(/state\.key: Expected .*32 bytes in base64/);
    expect(() => store(dir, { key: new Uint8Array(16) })).toThrow(/`key` to be 32 bytes, got 16/);
  });
});
