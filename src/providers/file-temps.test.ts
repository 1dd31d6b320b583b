import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pidOfExitedProcess } from '../../test/helpers/exited-pid.js';
import { PermanentError } from '../contract/errors.js';
import type { ProviderContext } from '../contract/provider.js';
import { systemClock } from '../time/clock.js';
import { type FileSpec, fileProvider } from './file.js';
import { sweepStaleTemps } from './file-temps.js';

let base: string;
let root: string;
let deadPid = 0;
const ctx: ProviderContext = {
  signal: new AbortController().signal,
  log: pino({ level: 'silent' }),
  clock: systemClock,
};
const res = (spec: FileSpec) => ({ kind: 'files', name: spec.path, spec });

beforeAll(async () => {
  deadPid = await pidOfExitedProcess();
});
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'setpoint-temps-'));
  root = join(base, 'root');
  await mkdir(join(root, 'sub'), { recursive: true });
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('temporary files a killed write left behind', () => {
  it('are removed on the provider first use: a dead pid, our own pid, anywhere under the root', async () => {
    await writeFile(join(root, '.a.txt.' + deadPid + '.1.tmp'), 'half');
    await writeFile(join(root, 'sub', '.b.txt.' + deadPid + '.7.tmp'), 'half');
    await writeFile(join(root, `.c.txt.${process.pid}.3.tmp`), 'an earlier life with our pid');
    await writeFile(join(root, 'keep.tmp'), 'not of the temporary form');
    const files = fileProvider({ root });
    expect(await files.observe(res({ path: 'a.txt' }), ctx)).toBeUndefined();
    expect((await readdir(root)).sort()).toEqual(['keep.tmp', 'sub']);
    expect(await readdir(join(root, 'sub'))).toEqual([]);
  });

  it('keeps one a live process may still be writing, and removes one whose pid was reused since', async () => {
    const live = join(root, `.a.txt.${process.ppid}.1.tmp`);
    const reused = join(root, `.b.txt.${process.ppid}.2.tmp`);
    await writeFile(live, 'being written');
    await writeFile(reused, 'written long before that process started');
    await utimes(reused, 946_684_800, 946_684_800); // 2000-01-01
    await sweepStaleTemps(root);
    const left = await readdir(root);
    expect(left).toContain(`.a.txt.${process.ppid}.1.tmp`);
    if (process.platform === 'linux') expect(left).not.toContain(`.b.txt.${process.ppid}.2.tmp`);
  });

  it('never keep a directory from being pruned', async () => {
    const files = fileProvider({ root });
    const spec: FileSpec = { path: 'sub', type: 'directory' };
    const current = await files.observe(res(spec), ctx);
    await writeFile(join(root, 'sub', '.x.txt.' + deadPid + '.1.tmp'), 'left by a kill');
    await files.delete(current!, res(spec), ctx);
    expect(await readdir(root)).toEqual([]);
  });

  it('do not make a directory with other files in it deletable', async () => {
    const files = fileProvider({ root });
    const spec: FileSpec = { path: 'sub', type: 'directory' };
    const current = await files.observe(res(spec), ctx);
    await writeFile(join(root, 'sub', '.x.txt.' + deadPid + '.1.tmp'), 'left by a kill');
    await writeFile(join(root, 'sub', 'user.txt'), 'not ours');
    await expect(files.delete(current!, res(spec), ctx)).rejects.toBeInstanceOf(PermanentError);
    expect(await readdir(join(root, 'sub'))).toEqual(['user.txt']);
  });

  it('a write in flight is never taken for a stale one', async () => {
    const files = fileProvider({ root });
    const writes = Array.from({ length: 20 }, (_, i) =>
      files.create(res({ path: `sub/f${i}.txt`, content: 'x'.repeat(100_000) }), ctx),
    );
    const sweeps = Array.from({ length: 5 }, () => sweepStaleTemps(root));
    await Promise.all([...writes, ...sweeps]);
    expect((await readdir(join(root, 'sub'))).length).toBe(20);
  });
});
