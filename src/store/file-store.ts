import type { Clock } from '../time/clock.js';
import { temporaryPathOf, writeFileAtomically } from './atomic-write.js';
import { createBackedStore } from './backed-store.js';
import { GroupCommit } from './group-commit.js';
import { acquireLock, releaseLock } from './lock-file.js';
import { encodeChange, encodeSnapshot } from './state-codec.js';
import { checkStateDir, readStoredState, stateDirPaths } from './state-dir.js';
import type { StateStore } from './state-store.js';
import { nodeStoreFs, type StoreFile, type StoreFs } from './store-fs.js';
import { emptyState, type StoreState } from './store-state.js';

export interface FileStoreOptions {
  /** The state directory, created if missing (the CLI's default is `.setpoint`). */
  readonly dir: string;
  /** Where `updatedAt`, intent times and the lock's `startedAt` come from. */
  readonly clock: Clock;
  /** The pid written into the lock. Default `process.pid`. */
  readonly pid?: number;
  /** Compact (rewrite the snapshot, empty the journal) once the journal passes this size. Default 4 MiB. */
  readonly compactAfterBytes?: number;
  /** The file operations to use. Default: the real file system. Tests count or break them. */
  readonly fs?: StoreFs;
}

/** Counters for diagnostics and tests. */
export interface FileStoreStats {
  /** Journal writes, each followed by one fsync: one per group-commit batch. */
  readonly journalWrites: number;
  /** Changes appended to the journal. */
  readonly journalChanges: number;
  /** Current journal size in bytes. */
  readonly journalBytes: number;
  /** Snapshots written (compactions, including the one on close). */
  readonly compactions: number;
  /** Changes replayed from the journal by the last `open()`. */
  readonly replayed: number;
  /** Bytes of torn tail the last `open()` found and cut off. */
  readonly tornBytes: number;
}

export interface FileStateStore extends StateStore {
  readonly dir: string;
  stats(): FileStoreStats;
}

const DEFAULT_COMPACT_AFTER_BYTES = 4 * 1024 * 1024;

/**
 * The embedded default store: files in a state directory (a snapshot, a journal and a lock;
 * see `stateDirPaths`), safe across crashes.
 *
 * `open()` takes the lock, reads the snapshot and replays the journal over it (a torn last
 * line from a kill mid-write is cut off, not fatal). Every write resolves once its journal
 * line is fsynced; concurrent writes share one fsync (see `GroupCommit`). When the journal
 * passes `compactAfterBytes`, and on `close()`, the snapshot is rewritten atomically and the
 * journal emptied. `close()` releases the lock.
 *
 * ```ts
 * const store = createFileStore({ dir: '.setpoint', clock: systemClock });
 * await store.open(); // rejects with StateLockedError if another live process has it
 * ```
 */
export function createFileStore(options: FileStoreOptions): FileStateStore {
  const { dir, clock } = options;
  checkStateDir(dir);
  if (typeof clock?.now !== 'function') {
    throw new TypeError(
      `Expected \`clock\` to be a Clock, got \`${String(clock)}\`; pass systemClock or a TestClock`,
    );
  }
  const pid = options.pid ?? process.pid;
  const compactAfterBytes = options.compactAfterBytes ?? DEFAULT_COMPACT_AFTER_BYTES;
  if (!(compactAfterBytes > 0)) {
    throw new TypeError(`Expected \`compactAfterBytes\` to be a number > 0, got \`${compactAfterBytes}\``);
  }
  const fs = options.fs ?? nodeStoreFs;
  const paths = stateDirPaths(dir);

  let state: StoreState = emptyState();
  let journal: StoreFile | undefined;
  let log: GroupCommit | undefined;
  const stats = {
    journalWrites: 0,
    journalChanges: 0,
    journalBytes: 0,
    compactions: 0,
    replayed: 0,
    tornBytes: 0,
  };

  async function load(): Promise<StoreState> {
    const stored = await readStoredState(fs, paths);
    await fs.unlink(temporaryPathOf(paths.snapshot)); // a snapshot a crash left half-written
    const parsed = stored.journal;
    stats.replayed = stored.replayed;
    stats.tornBytes = parsed.tornBytes;
    journal = await fs.open(paths.journal, 'a');
    if (parsed.tornBytes > 0) {
      // Cut the torn tail, or the next line appended would be glued to it.
      await journal.truncate(parsed.validBytes);
      await journal.sync();
    }
    if (!stored.hasJournal) await fs.syncDir(dir);
    stats.journalBytes = parsed.validBytes;
    return stored.state;
  }

  async function compact(): Promise<void> {
    await writeFileAtomically(fs, paths.snapshot, encodeSnapshot(state));
    // Crash here: the journal still holds changes the snapshot has; their seq makes replay skip them.
    await journal!.truncate(0);
    await journal!.sync();
    stats.journalBytes = 0;
    stats.compactions++;
  }

  async function writeBatch(data: Uint8Array): Promise<void> {
    await journal!.write(data);
    await journal!.sync();
    stats.journalWrites++;
    stats.journalBytes += data.length;
  }

  async function shutDown(): Promise<void> {
    const file = journal;
    journal = undefined;
    log = undefined;
    try {
      await file?.close();
    } finally {
      await releaseLock(fs, dir);
    }
  }

  const store = createBackedStore(
    {
      async open() {
        await fs.mkdir(dir);
        await acquireLock(fs, dir, { pid, startedAt: clock.now() });
        try {
          state = await load();
        } catch (error) {
          await shutDown();
          throw error;
        }
        log = new GroupCommit(writeBatch, async () => {
          if (stats.journalBytes >= compactAfterBytes) await compact();
        });
        return state;
      },
      persist(change) {
        stats.journalChanges++;
        return log!.append(encodeChange(change));
      },
      async close() {
        try {
          await log!.drain();
          if (stats.journalBytes > 0) await compact();
        } finally {
          await shutDown();
        }
      },
    },
    clock,
  );
  return { ...store, dir, stats: () => ({ ...stats }) };
}
