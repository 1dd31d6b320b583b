import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime, fileProvider } from '../src/index.js';
import { seededRandom, TestClock } from '../src/testing.js';

/**
 * Many new file resources at once share one `list` for their first pass. The file provider lists
 * by path, and a resource's name need not be its path: the first pass must still find the file
 * that is already there, and adopt it instead of writing over it.
 */
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('file resources named apart from their path, added many at once', () => {
  it('adopt the files that exist instead of creating them again', async () => {
    const root = await mkdtemp(join(tmpdir(), 'setpoint-adopt-'));
    dirs.push(root);
    await writeFile(join(root, 'f1.txt'), 'theirs\n');
    const clock = new TestClock();
    const files = fileProvider({ root });
    const rt = createRuntime({ providers: [files], clock, random: seededRandom(1), concurrency: 4 });
    const applied: string[] = [];
    rt.on('action:applied', (e) => applied.push(`${e.action} ${e.name}`));
    await rt.start();
    const desired = Array.from({ length: 12 }, (_, i) => ({
      kind: 'files',
      name: `f${i + 1}`,
      spec: { path: `./f${i + 1}.txt`, content: i === 0 ? 'ours\n' : `hello ${i + 1}\n` },
    }));
    rt.setDesired(desired);
    await rt.settled();
    expect(applied.filter((a) => a.startsWith('create')).sort()).not.toContain('create f1');
    expect(applied).toContain('update f1'); // adopted, then brought to the spec
    expect(rt.store.get('files/f1')?.origin).toBe('adopted');
    expect(rt.store.get('files/f2')?.origin).toBe('created');
    expect(await readFile(join(root, 'f1.txt'), 'utf8')).toBe('ours\n');
    await rt.stop();
  });
});
