import { hostname as osHostname } from 'node:os';
import { resolve } from 'node:path';
import { stateDirPaths } from './state-dir.js';
import { type LockHolder, StateLockedError } from './store-errors.js';
import type { StoreFs } from './store-fs.js';

/**
 * The state directory's lock: one process per state, so two runtimes never both believe
 * they own the same objects.
 *
 * `dir/lock` is created with `O_EXCL` (`wx`): of two processes racing, exactly one creates it.
 * It holds `{ pid, hostname, startedAt }`. A lock that exists is judged:
 *
 * | the lock says                                | verdict |
 * |----------------------------------------------|---------|
 * | this host, a pid that is not running         | stale (its process died): removed and taken |
 * | this host, our own pid, not held in-process  | stale (a previous life with a reused pid, as pid 1 in a container) |
 * | this host, a running pid                     | held: {@link StateLockedError} naming it |
 * | another host                                 | held: its pid cannot be checked from here |
 * | nothing readable                             | held: a person must look |
 */
export interface LockOptions {
  readonly pid: number;
  readonly startedAt: number;
  /** Whether a pid is running. Default: `process.kill(pid, 0)`. */
  readonly isAlive?: (pid: number) => boolean;
}

/** Lock files held by this process, so a pid that looks like ours can be told apart. */
const heldHere = new Set<string>();

export async function acquireLock(fs: StoreFs, dir: string, options: LockOptions): Promise<void> {
  const path = stateDirPaths(dir).lock;
  const isAlive = options.isAlive ?? pidIsAlive;
  const holder: LockHolder = { pid: options.pid, hostname: osHostname(), startedAt: options.startedAt };
  // Retried after removing a stale lock, or when the lock vanished between the two looks.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const file = await fs.open(path, 'wx');
      try {
        await file.write(new TextEncoder().encode(`${JSON.stringify(holder)}\n`));
        await file.sync();
      } finally {
        await file.close();
      }
      await fs.syncDir(dir);
      heldHere.add(resolve(path));
      return;
    } catch (error) {
      if ((error as { code?: unknown })?.code !== 'EEXIST') throw error;
    }
    const bytes = await fs.readFile(path);
    if (bytes === undefined) continue;
    const current = parseLockHolder(bytes);
    const stale =
      current !== undefined &&
      current.hostname === holder.hostname &&
      (current.pid === process.pid ? !heldHere.has(resolve(path)) : !isAlive(current.pid));
    if (!stale) throw new StateLockedError(dir, path, current);
    // Another process may have judged it stale too; unlinking theirs in that instant is the one
    // window this scheme leaves open (see docs/decisions/0006-store-backends.md).
    await fs.unlink(path);
  }
  throw new StateLockedError(dir, path, parseLockHolder((await fs.readFile(path)) ?? new Uint8Array()));
}

export async function releaseLock(fs: StoreFs, dir: string): Promise<void> {
  const path = stateDirPaths(dir).lock;
  heldHere.delete(resolve(path));
  await fs.unlink(path);
}

/** `process.kill(pid, 0)` sends nothing; it only asks whether the process exists. */
export function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to another user.
    return (error as { code?: unknown })?.code === 'EPERM';
  }
}

/**
 * The holder a lock file names, or `undefined` when it names none that can be trusted (not
 * JSON, no positive integer pid, no hostname). A missing `startedAt` reads as `NaN`.
 */
export function parseLockHolder(bytes: Uint8Array): LockHolder | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LockHolder>;
    const { pid, hostname, startedAt } = value;
    if (Number.isSafeInteger(pid) && (pid as number) > 0 && typeof hostname === 'string') {
      return {
        pid: pid as number,
        hostname,
        startedAt: typeof startedAt === 'number' ? startedAt : Number.NaN,
      };
    }
  } catch {
    // Unreadable: reported as such by the caller.
  }
  return undefined;
}
