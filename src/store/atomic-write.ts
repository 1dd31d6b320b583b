import { basename, dirname, join } from 'node:path';
import type { StoreFs } from './store-fs.js';

/**
 * Replace a file so that a reader (or a restart after a crash) sees either the old contents or
 * the new, never a part: write a temporary file beside it, fsync it, rename it over the
 * target (atomic on POSIX), then fsync the directory so the rename itself is durable.
 *
 * The temporary file is `<name>.tmp`; one left by a crash is harmless and is overwritten next
 * time. Only one writer per directory is assumed (the file store holds the lock).
 */
export async function writeFileAtomically(fs: StoreFs, path: string, data: string): Promise<void> {
  const temp = temporaryPathOf(path);
  const file = await fs.open(temp, 'w');
  try {
    await file.write(new TextEncoder().encode(data));
    await file.sync();
  } finally {
    await file.close();
  }
  await fs.rename(temp, path);
  await fs.syncDir(dirname(path));
}

/** Where {@link writeFileAtomically} stages `path`. */
export function temporaryPathOf(path: string): string {
  return join(dirname(path), `${basename(path)}.tmp`);
}
