import { join } from 'node:path';
import { describe } from '../contract/describe.js';
import { type ParsedJournal, parseJournal } from './journal.js';
import { parseStateKey, type Sealer } from './seal.js';
import { decodeSnapshot } from './state-codec.js';
import { StateCorruptError } from './store-errors.js';
import type { StoreFs } from './store-fs.js';
import { applyChange, emptyState, type StoreState } from './store-state.js';

/**
 * The layout of a file store's state directory, and how its state is read back.
 *
 * ```
 * .setpoint/
 *   inventory.json   the snapshot: all state as of some change, replaced atomically
 *   journal.log      every change since, one JSON line each, appended and fsynced
 *   lock             { pid, hostname, startedAt } of the process that has it open
 *   state.key        the key that seals secrets in the other two (see `seal.ts`), unless one is given
 * ```
 *
 * Only this file knows the names. The file store's `open()` and the read-only
 * `readStateDir` both read the state with {@link readStoredState}, so they cannot disagree
 * about what a directory holds.
 */
export interface StateDirPaths {
  readonly dir: string;
  /** The snapshot, `inventory.json`. */
  readonly snapshot: string;
  /** The journal, `journal.log`. */
  readonly journal: string;
  /** The lock, `lock`. */
  readonly lock: string;
  /** The state key, `state.key`. */
  readonly key: string;
}

/** Where each file of the state directory `dir` lives. */
export function stateDirPaths(dir: string): StateDirPaths {
  return {
    dir,
    snapshot: join(dir, 'inventory.json'),
    journal: join(dir, 'journal.log'),
    lock: join(dir, 'lock'),
    key: join(dir, 'state.key'),
  };
}

/** Throws the `TypeError` for a state directory option that is not a path. */
export function checkStateDir(dir: unknown): asserts dir is string {
  if (typeof dir !== 'string' || dir === '') {
    throw new TypeError(`Expected \`dir\` to be a directory path, got ${describe(dir)}; e.g. '.setpoint'`);
  }
}

/** What a state directory holds, read and replayed. */
export interface StoredState {
  /** The snapshot with the journal replayed over it; empty when neither file exists. */
  readonly state: StoreState;
  /** Whether the snapshot file exists. */
  readonly hasSnapshot: boolean;
  /** Whether the journal file exists. */
  readonly hasJournal: boolean;
  /** The journal as parsed: its valid prefix and the torn tail after it (empty when absent). */
  readonly journal: ParsedJournal;
  /** Changes the journal added over the snapshot (lines already in the snapshot are skipped). */
  readonly replayed: number;
}

/**
 * Read the snapshot, then replay the journal over it. Reads only: a torn last journal line is
 * reported in `journal.tornBytes` and left for the caller (the file store cuts it off).
 * Seals are opened with `sealer`; without one, sealed strings stay redacted.
 * Throws {@link StateCorruptError} for damage a crash cannot explain.
 */
export async function readStoredState(
  fs: StoreFs,
  paths: StateDirPaths,
  sealer?: Sealer,
): Promise<StoredState> {
  const snapshot = await fs.readFile(paths.snapshot);
  let state = emptyState();
  if (snapshot !== undefined) {
    const decoded = decodeSnapshot(new TextDecoder().decode(snapshot), sealer);
    if (typeof decoded === 'string') throw new StateCorruptError(paths.snapshot, decoded);
    state = decoded;
  }
  const bytes = await fs.readFile(paths.journal);
  const journal = parseJournal(bytes ?? new Uint8Array(), paths.journal, sealer);
  const replayed = journal.changes.filter((change) => applyChange(state, change)).length;
  return { state, hasSnapshot: snapshot !== undefined, hasJournal: bytes !== undefined, journal, replayed };
}

/**
 * The state key kept in the directory (`state.key`), or `undefined` when there is none. A file
 * that is not a key is damage: {@link StateCorruptError}, naming the file.
 */
export async function readStateKey(fs: StoreFs, paths: StateDirPaths): Promise<Uint8Array | undefined> {
  const bytes = await fs.readFile(paths.key);
  if (bytes === undefined) return undefined;
  try {
    return parseStateKey(new TextDecoder().decode(bytes), `\`${paths.key}\``);
  } catch (error) {
    throw new StateCorruptError(paths.key, (error as Error).message);
  }
}
