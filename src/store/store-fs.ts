import { constants } from 'node:fs';
import { chmod, link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';

/**
 * The file operations the file store uses, and nothing more: a seam for tests that count
 * fsyncs or cut the power at a chosen step. {@link nodeStoreFs} is the real thing.
 */
export interface StoreFs {
  /** Create a directory and its parents; fine if it exists. */
  mkdir(path: string): Promise<void>;
  /** The file's bytes, or `undefined` if it does not exist. */
  readFile(path: string): Promise<Uint8Array | undefined>;
  /**
   * Open a file: `a` appends (created if missing), `w` truncates (created if missing), `wx`
   * creates and fails with code `EEXIST` if it exists.
   */
  open(path: string, flags: 'a' | 'w' | 'wx'): Promise<StoreFile>;
  /** Atomically replace `to` with `from`. */
  rename(from: string, to: string): Promise<void>;
  /** Give `from`'s file the name `to` too; fails with code `EEXIST` if `to` exists (atomic). */
  link(from: string, to: string): Promise<void>;
  /** The names in a directory (none if it does not exist). */
  names(path: string): Promise<string[]>;
  /** When the file last changed (ms since the Unix epoch), or `undefined` if it does not exist. */
  modifiedAt(path: string): Promise<number | undefined>;
  /** Remove a file; fine if it does not exist. */
  unlink(path: string): Promise<void>;
  /** Make a directory's entries (creations, renames) durable. */
  syncDir(path: string): Promise<void>;
}

export interface StoreFile {
  /** Write all of `data` (at the end, for a file opened with `a`). */
  write(data: Uint8Array): Promise<void>;
  /** fsync: the data is on disk when this resolves. */
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

const isCode = (error: unknown, code: string): boolean => (error as { code?: unknown })?.code === code;

/**
 * The state holds the specs this runtime applied, which may carry credentials: its files are
 * readable by their owner only (0600), in a directory only the owner can enter (0700).
 */
const PRIVATE_FILE = 0o600;
const PRIVATE_DIR = 0o700;

/** {@link StoreFs} over `node:fs/promises`. */
export const nodeStoreFs: StoreFs = {
  mkdir: async (path) => {
    await mkdir(path, { recursive: true, mode: PRIVATE_DIR });
    await chmod(path, PRIVATE_DIR); // one made before (or under another umask) becomes private too
  },
  readFile: async (path) => {
    try {
      return await readFile(path);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  },
  open: async (path, flags) => {
    const handle = await open(path, flags, PRIVATE_FILE);
    if (flags === 'a') await handle.chmod(PRIVATE_FILE); // a journal written before this rule
    return {
      write: async (data) => {
        let offset = 0;
        while (offset < data.length) {
          const { bytesWritten } = await handle.write(data, offset, data.length - offset);
          offset += bytesWritten;
        }
      },
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => rename(from, to),
  link: (from, to) => link(from, to),
  names: async (path) => {
    try {
      return await readdir(path);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return [];
      throw error;
    }
  },
  modifiedAt: async (path) => {
    try {
      return (await stat(path)).mtimeMs;
    } catch (error) {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    }
  },
  unlink: async (path) => {
    try {
      await unlink(path);
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw error;
    }
  },
  syncDir: async (path) => {
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(path, constants.O_RDONLY);
      await handle.sync();
    } catch (error) {
      // Some platforms (Windows) cannot open or fsync a directory; renames there are durable anyway.
      if (!['EISDIR', 'EPERM', 'EINVAL', 'EACCES'].some((code) => isCode(error, code))) throw error;
    } finally {
      await handle?.close();
    }
  },
};
