import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/main.js';
import { capturedIo } from './helpers/captured-io.js';
import { tempProjects } from './helpers/temp-project.js';

/**
 * Pruning a directory together with the files in it: the inventory does not remember
 * `dependsOn`, so the directory's delete may be tried first and fail ("not empty"), and is
 * tried again once its files are gone. That is waiting, not giving up: only a delete that
 * fails for good says "gave up".
 */
const files = tempProjects('setpoint-prune-dir-');
const project = () =>
  files({
    'setpoint.yaml':
      'resources: ["resources/*.yaml"]\nproviders:\n  files: { use: file, options: { root: ./out } }\n' +
      'defaults: { prune: true }\nserver: { listen: "127.0.0.1:1" }\n',
    'resources/keep.yaml': 'kind: files\nname: keep.txt\nspec: { path: keep.txt, content: "keep\\n" }\n',
    'resources/site.yaml': [
      'kind: files\nname: site\nspec: { path: site, type: directory }\n',
      ...['a', 'b', 'c'].map(
        (page) =>
          `kind: files\nname: site/${page}.html\nspec: { path: site/${page}.html, content: "${page}\\n" }\ndependsOn: [files/site]\n`,
      ),
    ].join('---\n'),
  });

async function apply(dir: string) {
  const { io, out } = capturedIo(dir);
  const code = await runCli(['apply'], io);
  return { code, ...out };
}

describe('apply pruning a directory and its files', () => {
  it('waits for the files and does not say it gave up', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = project();
      expect((await apply(dir)).code).toBe(0);
      rmSync(join(dir, 'resources/site.yaml'));
      const pruned = await apply(dir);
      expect(pruned.code, pruned.stderr).toBe(0);
      expect(pruned.stdout).toContain('- files/site: deleted');
      expect(pruned.stdout).toContain('Apply complete: 1 resource in sync; 4 deleted');
      expect(pruned.stderr).not.toContain('gave up');
      expect(existsSync(join(dir, 'out/site'))).toBe(false);
    }
  });

  it('says it gave up when the directory cannot be emptied', async () => {
    const dir = project();
    expect((await apply(dir)).code).toBe(0);
    rmSync(join(dir, 'resources/site.yaml'));
    writeFileSync(join(dir, 'out/site/not-ours.txt'), 'someone else wrote this\n');
    const pruned = await apply(dir);
    expect(pruned.code).toBe(1);
    expect(pruned.stderr.match(/gave up/g)).toHaveLength(1);
    expect(pruned.stderr).toMatch(/\n {2}x files\/site: gave up: delete: .*not empty/);
    expect(existsSync(join(dir, 'out/site/not-ours.txt'))).toBe(true);
  });
});
