import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/**
 * A maker of throwaway state directories for tests of the file store: `stateDir()` makes a new
 * temporary directory and returns the path of a `.setpoint` inside it (not yet created, as a
 * store finds it on a first run). Every directory it made is removed after each test.
 */
export function tempStateDirs(prefix: string): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(dir);
    return join(dir, '.setpoint');
  };
}
