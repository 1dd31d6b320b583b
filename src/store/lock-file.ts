import { hostname as osHostname } from 'node:os';
import { join, resolve } from 'node:path';
import { pidIsRunning, processStartTicks, startedAfter } from '../contract/process-identity.js';
import { stateDirPaths } from './state-dir.js';
import { type LockHolder, StateLockedError } from './store-errors.js';
import type { StoreFs } from './store-fs.js';

/**
 * The state directory's lock: one process per state, so two runtimes never both believe
 * they own the same objects.
 *
 * The lock is written whole before it exists: `{ pid, hostname, startedAt, processStart }` goes
 * to `lock.<pid>.tmp`, is fsynced, then hard-linked as `dir/lock`, which fails if a lock exists:
 * of two processes racing, exactly one gets it, and a kill never leaves an empty lock. A lock
 * that exists is judged:
 *
 * | the lock says                                | verdict |
 * |----------------------------------------------|---------|
 * | this host, a pid that is not running         | stale (its process died): removed and taken |
 * | this host, our own pid, not held in-process  | stale (a previous life with a reused pid, as pid 1 in a container) |
 * | this host, a running pid that started later than recorded (another `processStart`, or, for a lock without one, a process younger than the lock file) | stale: the pid was reused by another program |
 * | this host, a running pid, the same process   | held: {@link StateLockedError} naming it |
 * | another host                                 | held: its pid cannot be checked from here |
 * | nothing readable, changed over 5 s ago       | stale: a kill between creating and writing it (older versions wrote it in two steps) |
 * | nothing readable, newer                      | held: a person must look |
 */
export interface LockOptions {
  readonly pid: number;
  /** Now, from the store's clock: the lock's `startedAt`, and what an unreadable lock's age is measured against. */
  readonly startedAt: number;
  /** Whether a pid is running. Default: `process.kill(pid, 0)`. */
  readonly isAlive?: (pid: number) => boolean;
}

/** Lock files held by this process, so a pid that looks like ours can be told apart. */
const heldHere = new Set<string>();

/** An unreadable lock this old is a torn one, not one being written. */
const UNREADABLE_STALE_MS = 5000;
const LOCK_TEMP = /^lock\.(\d+)\.tmp$/;
const lockTemp = (dir: string, pid: number) => join(dir, `lock.${pid}.tmp`);

export async function acquireLock(fs: StoreFs, dir: string, options: LockOptions): Promise<void> {
  const path = stateDirPaths(dir).lock;
  const isAlive = options.isAlive ?? pidIsRunning;
  const processStart = await processStartTicks(options.pid);
  const holder: LockHolder = {
    pid: options.pid,
    hostname: osHostname(),
    startedAt: options.startedAt,
    ...(processStart === undefined ? {} : { processStart }),
  };
  const temp = lockTemp(dir, options.pid);
  const file = await fs.open(temp, 'w');
  try {
    await file.write(new TextEncoder().encode(`${JSON.stringify(holder)}\n`));
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    // Retried after removing a stale lock, or when the lock vanished between the two looks.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await fs.link(temp, path);
        await fs.syncDir(dir);
        heldHere.add(resolve(path));
        return;
      } catch (error) {
        if ((error as { code?: unknown })?.code !== 'EEXIST') throw error;
      }
      const bytes = await fs.readFile(path);
      if (bytes === undefined) continue;
      const current = parseLockHolder(bytes);
      if (!(await isStale(fs, path, current, holder, isAlive)))
        throw new StateLockedError(dir, path, current);
      // Another process may have judged it stale too; unlinking theirs in that instant is the one
      // window this scheme leaves open (see docs/decisions/0006-store-backends.md).
      await fs.unlink(path);
    }
    throw new StateLockedError(dir, path, parseLockHolder((await fs.readFile(path)) ?? new Uint8Array()));
  } finally {
    await fs.unlink(temp);
    await removeStaleLockTemps(fs, dir, isAlive);
  }
}

async function isStale(
  fs: StoreFs,
  path: string,
  current: LockHolder | undefined,
  us: LockHolder,
  isAlive: (pid: number) => boolean,
): Promise<boolean> {
  const changed = await fs.modifiedAt(path);
  if (changed === undefined) return false; // gone meanwhile: the next attempt takes it
  if (current === undefined) return us.startedAt - changed > UNREADABLE_STALE_MS;
  if (current.hostname !== us.hostname) return false;
  if (current.pid === process.pid) return !heldHere.has(resolve(path));
  if (!isAlive(current.pid)) return true;
  if (current.processStart !== undefined) {
    const now = await processStartTicks(current.pid);
    return now !== undefined && now !== current.processStart;
  }
  return startedAfter(current.pid, changed);
}

/** Staging files of a lock whose writer was killed before it removed them. */
async function removeStaleLockTemps(
  fs: StoreFs,
  dir: string,
  isAlive: (pid: number) => boolean,
): Promise<void> {
  for (const name of await fs.names(dir)) {
    const pid = Number(LOCK_TEMP.exec(name)?.[1]);
    if (Number.isSafeInteger(pid) && pid !== process.pid && !isAlive(pid)) await fs.unlink(join(dir, name));
  }
}

export async function releaseLock(fs: StoreFs, dir: string): Promise<void> {
  const path = stateDirPaths(dir).lock;
  heldHere.delete(resolve(path));
  await fs.unlink(path);
}

/** Whether a pid is running (kept here for the store's callers). */
export const pidIsAlive = pidIsRunning;

/**
 * The holder a lock file names, or `undefined` when it names none that can be trusted (not
 * JSON, no positive integer pid, no hostname). A missing `startedAt` reads as `NaN`.
 */
export function parseLockHolder(bytes: Uint8Array): LockHolder | undefined {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LockHolder>;
    const { pid, hostname, startedAt, processStart } = value;
    if (Number.isSafeInteger(pid) && (pid as number) > 0 && typeof hostname === 'string') {
      return {
        pid: pid as number,
        hostname,
        startedAt: typeof startedAt === 'number' ? startedAt : Number.NaN,
        ...(typeof processStart === 'string' ? { processStart } : {}),
      };
    }
  } catch {
    // Unreadable: reported as such by the caller.
  }
  return undefined;
}
