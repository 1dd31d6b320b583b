import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A full commit sha, as the trees are named. */
export const SHA = /^[0-9a-f]{40}$/;

/** Remove every tree (and every leftover of an interrupted checkout) but those in `keep`. */
export async function prune(trees: string, keep: readonly string[]): Promise<void> {
  const names = await readdir(trees).catch(() => [] as string[]);
  for (const name of names) {
    if (keep.includes(name)) continue;
    if (SHA.test(name) || name.startsWith('.tmp-'))
      await rm(join(trees, name), { recursive: true, force: true });
  }
}

export async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}
