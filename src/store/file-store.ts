import type { Clock } from '../time/clock.js';
import { temporaryPathOf, writeFileAtomically } from './atomic-write.js';
import { createBackedStore } from './backed-store.js';
import { GroupCommit } from './group-commit.js';
import { acquireLock, releaseLock } from './lock-file.js';
import { createSealer, newStateKeyText, parseStateKey, type Sealer, STATE_KEY_BYTES } from './seal.js';
import { encodeChange, encodeSnapshot } from './state-codec.js';
import {
  checkStateDir,
  readStateKey,
  readStoredState,
  type StateDirPaths,
  stateDirPaths,
} from './state-dir.js';
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
  /**
   * The values that are secrets, asked at each write: every string of a spec holding one is
   * sealed (encrypted, and written redacted) on its way to disk. The CLI passes the values of
   * the config's `${env:…}` and `${file:…}` references. Default: none.
   */
  readonly secrets?: () => Iterable<string>;
  /**
   * The 32-byte key that seals secrets. Default: the state directory's `state.key`, created
   * (readable by its owner only) the first time secrets are given.
   */
  readonly key?: Uint8Array;
  /** Called once the state is read: the secrets its seals held, and how many seals could not be opened. */
  readonly onOpen?: (info: { readonly secretsFound: readonly string[]; readonly sealsLost: number }) => void;
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
  const secrets = options.secrets ?? (() => []);
  if (!(compactAfterBytes > 0)) {
    throw new TypeError(`Expected \`compactAfterBytes\` to be a number > 0, got \`${compactAfterBytes}\``);
  }
  const fs = options.fs ?? nodeStoreFs;
  const paths = stateDirPaths(dir);
  if (options.key !== undefined && options.key.length !== STATE_KEY_BYTES) {
    throw new TypeError(`Expected \`key\` to be ${STATE_KEY_BYTES} bytes, got ${options.key.length}`);
  }
  let sealer: Sealer | undefined;

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
    sealer = createSealer(options.key ?? (await stateKey(fs, paths, options.secrets !== undefined)), secrets);
    const stored = await readStoredState(fs, paths, sealer);
    options.onOpen?.({ secretsFound: sealer.found(), sealsLost: sealer.lost() });
    await fs.unlink(temporaryPathOf(paths.snapshot)); // a snapshot a crash left half-written
    await fs.unlink(temporaryPathOf(paths.key));
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
    await writeFileAtomically(fs, paths.snapshot, encodeSnapshot(state, sealer));
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
        return log!.append(encodeChange(change, sealer));
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

/**
 * The state directory's key: read from `state.key`; when there is none, created if `create`
 * (the lock is held, so no other process races to create it), else `undefined`.
 */
async function stateKey(fs: StoreFs, paths: StateDirPaths, create: boolean): Promise<Uint8Array | undefined> {
  const found = await readStateKey(fs, paths);
  if (found !== undefined || !create) return found;
  // Atomically: a kill mid-write must not leave an empty key that no later start can read.
  const text = newStateKeyText();
  await writeFileAtomically(fs, paths.key, text);
  return parseStateKey(text, 'a new state key');
}
