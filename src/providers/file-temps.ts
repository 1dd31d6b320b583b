import { lstat, readdir, realpath, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pidIsRunning, startedAfter } from '../contract/process-identity.js';
import { inFlightTemps, TEMP_FILE } from './file-io.js';

/**
 * Temporary files the file provider's atomic writes leave when the process is killed between
 * creating one and renaming it (`.<name>.<pid>.<n>.tmp`). They are no resource (`list` skips
 * them), but they must not pile up, nor keep a directory from being deleted.
 *
 * One is **stale**, and removed, when no write of this process is using it and either the pid
 * in its name is not running, is this process's own (a previous life with the same pid), or
 * names a process that started after the file was last written (the pid was reused).
 */

const TEMP_PID = /^\..+\.(\d+)\.\d+\.tmp$/;

async function isStale(full: string, name: string): Promise<boolean> {
  const pid = Number(TEMP_PID.exec(name)?.[1]);
  if (!Number.isSafeInteger(pid) || inFlightTemps.has(full)) return false;
  if (pid === process.pid || !pidIsRunning(pid)) return true;
  return startedAfter(pid, (await lstat(full)).mtimeMs);
}

/**
 * Remove the stale temporary files directly in `dir`; resolves with how many it removed. Only
 * regular files whose name has the temporary form are looked at.
 */
export async function removeStaleTemps(dir: string): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !TEMP_FILE.test(entry.name)) continue;
    const full = join(dir, entry.name);
    try {
      if (await isStale(full, entry.name)) {
        await unlink(full);
        removed++;
      }
    } catch {
      // Gone meanwhile, or not ours to remove: left as it is.
    }
  }
  return removed;
}

/**
 * Remove the stale temporary files anywhere under `root`, never following a symlink. Errors
 * (a directory that vanished, one that cannot be read) skip that directory: a sweep never fails.
 */
export async function sweepStaleTemps(root: string): Promise<number> {
  let base: string;
  try {
    base = await realpath(root);
  } catch {
    return 0;
  }
  let removed = 0;
  const pending = [base];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    try {
      removed += await removeStaleTemps(dir);
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) pending.push(join(dir, entry.name));
      }
    } catch {
      // Skipped.
    }
  }
  return removed;
}

/** `provider`, each of whose operations first waits for one sweep of `root` (made on first use). */
export function sweptOnFirstUse<P extends object>(provider: P, root: string): P {
  let swept: Promise<unknown> | undefined;
  const sweep = () => {
    swept ??= sweepStaleTemps(root);
    return swept;
  };
  const wrapped = { ...provider } as Record<string, unknown>;
  for (const name of ['observe', 'create', 'update', 'delete', 'list'] as const) {
    const method = (provider as Record<string, unknown>)[name];
    if (typeof method !== 'function') continue;
    wrapped[name] = async (...args: unknown[]) => {
      await sweep();
      return (method as (...a: unknown[]) => unknown).apply(provider, args);
    };
  }
  return wrapped as P;
}
