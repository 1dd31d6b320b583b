import { mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderContext } from '../src/contract/provider.js';
import { type FileSpec, fileProvider } from '../src/providers/file.js';
import { useDescriptorPaths } from '../src/providers/file-dirs.js';
import { systemClock } from '../src/time/clock.js';

// The confinement race: while the provider writes and deletes files under `root/sub`, another
// loop keeps swapping `root/sub` for a symlink to a directory outside the root and back. Every
// check the provider made on a path can be stale by the time it uses it; nothing outside the
// root may change all the same. Real file system, real concurrency, so real time.

const FILES = 200;
const ROUNDS = Number(process.env.SETPOINT_RACE_ROUNDS ?? 12);
const PARALLEL = 4;

let base: string;
let root: string;
let outside: string;

const ctx: ProviderContext = {
  signal: new AbortController().signal,
  clock: systemClock,
  log: { debug() {} } as unknown as ProviderContext['log'],
};
const name = (i: number) => `f${String(i).padStart(3, '0')}.txt`;
const resource = (i: number) => ({
  kind: 'files',
  name: `sub/${name(i)}`,
  spec: { path: `sub/${name(i)}`, content: 'written by the provider\n' } as FileSpec,
});

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'setpoint-race-'));
  root = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(outside);
  // Set to measure the path-only scheme used where descriptors have no paths (not Linux).
  if (process.env.SETPOINT_RACE_PATHS_ONLY) useDescriptorPaths('off');
});
afterAll(async () => {
  useDescriptorPaths('auto');
  await rm(base, { recursive: true, force: true });
});

/** Fill `outside` with one decoy per name the provider manages. */
async function plantDecoys(): Promise<void> {
  await rm(outside, { recursive: true, force: true });
  await mkdir(outside);
  await Promise.all(Array.from({ length: FILES }, (_, i) => writeFile(join(outside, name(i)), 'decoy\n')));
}

/** What changed outside: decoys overwritten or deleted, files that were not there before. */
async function damage(): Promise<{ written: number; deleted: number }> {
  const present = new Set(await readdir(outside));
  let written = 0;
  let deleted = 0;
  for (let i = 0; i < FILES; i++) {
    if (!present.has(name(i))) deleted++;
    else if ((await readFile(join(outside, name(i)), 'utf8')) !== 'decoy\n') written++;
    present.delete(name(i));
  }
  return { written: written + present.size, deleted };
}

/** Swap `root/sub` for a symlink to `outside` and back, until `stop()` is called. */
function startSwapping(): { stop: () => Promise<number> } {
  let running = true;
  let swaps = 0;
  const sub = join(root, 'sub');
  const hidden = join(root, 'sub.real');
  // The provider re-creates a missing `sub` as it makes parents: clear whatever is in the way.
  const force = async (step: () => Promise<void>) => {
    for (;;) {
      try {
        return await step();
      } catch {
        await rm(sub, { recursive: true, force: true }).catch(() => undefined);
      }
    }
  };
  const loop = (async () => {
    while (running) {
      await force(() => rename(sub, hidden));
      await force(() => symlink(outside, sub));
      await new Promise((resolve) => setImmediate(resolve));
      await unlink(sub);
      await force(() => rename(hidden, sub));
      await new Promise((resolve) => setImmediate(resolve));
      swaps++;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return swaps;
    },
  };
}

/** Run `op` for every index, `PARALLEL` at a time; failures are expected (the path moves). */
async function each(op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < FILES) {
      const i = next++;
      await op(i).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
}

describe('the file provider under a racing symlink swap', () => {
  it('writes and deletes nothing outside the root while a subdirectory flips to a symlink and back', async () => {
    const provider = fileProvider({ root });
    const total = { written: 0, deleted: 0, swaps: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      await plantDecoys();
      const swapper = startSwapping();
      await each((i) => provider.create(resource(i), ctx));
      // Twice, as a retrying runtime would: a delete that failed on a moved path runs again.
      for (const _ of [1, 2])
        await each((i) => provider.delete({ path: `sub/${name(i)}` }, resource(i), ctx));
      total.swaps += await swapper.stop();
      const { written, deleted } = await damage();
      total.written += written;
      total.deleted += deleted;
    }
    // Shown so a failing run says how much leaked, and a passing one that the race really ran.
    console.info(
      `race: ${ROUNDS} rounds of ${FILES} files, ${total.swaps} swaps, ` +
        `${total.written} written and ${total.deleted} deleted outside the root`,
    );
    expect(total.swaps).toBeGreaterThan(ROUNDS);
    expect(total).toMatchObject({ written: 0, deleted: 0 });
  });
});
