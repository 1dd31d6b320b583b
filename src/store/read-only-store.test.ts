import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../time/test-clock.js';
import { createFileStore } from './file-store.js';
import { createReadOnlyStore } from './read-only-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-ro-store-'));
  dirs.push(dir);
  return dir;
};

describe('createReadOnlyStore', () => {
  it('reads what a file store wrote, and refuses every write', async () => {
    const dir = join(tempDir(), 'state');
    const clock = new TestClock();
    const files = createFileStore({ dir, clock });
    await files.open();
    await files.record({
      key: 'user/alice',
      kind: 'user',
      name: 'alice',
      origin: 'created',
      lastApplied: { role: 'admin' },
    });
    await files.close();
    const names = readdirSync(dir).sort();

    const store = createReadOnlyStore({ dir, clock });
    await store.open();
    expect(store.get('user/alice')?.lastApplied).toEqual({ role: 'admin' });
    await expect(store.forget('user/alice')).rejects.toThrow(/read-only/);
    await store.close();
    expect(readdirSync(dir).sort()).toEqual(names);
  });

  it('opens a directory that does not exist as an empty state, without creating it', async () => {
    const dir = join(tempDir(), 'missing');
    const store = createReadOnlyStore({ dir, clock: new TestClock() });
    await store.open();
    expect(store.inventory().size).toBe(0);
    await store.close();
    expect(existsSync(dir)).toBe(false);
  });
});
