import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const run = promisify(execFile);

/** The fenced block of `lang` that follows `after` in the README. */
function blockAfter(after: string, lang: string): string {
  const from = readme.indexOf(after);
  expect(from, `README has "${after}"`).toBeGreaterThanOrEqual(0);
  const open = readme.indexOf(`\`\`\`${lang}\n`, from);
  const close = readme.indexOf('\n```', open + 1);
  return readme.slice(open + lang.length + 4, close + 1);
}

describe('the README', () => {
  it('shows the library example exactly as examples/readme/main.ts has it', () => {
    const shown = blockAfter('## Use it as a library', 'ts');
    const file = readFileSync(join(root, 'examples/readme/main.ts'), 'utf8');
    expect(shown).toBe(file.replace("from '../../src/index.js'", "from 'setpoint'"));
  });

  it('shows exactly what the library example prints', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/readme/main.ts'], {
      cwd: root,
      timeout: 30_000,
    });
    expect(stdout).toBe(blockAfter('It prints', 'text'));
  });

  it('documents the two commands of a fresh clone, and the test command is the one CI runs', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const tryIt = blockAfter('## Try it', 'sh');
    expect(tryIt).toContain('npm install');
    expect(tryIt).toContain('npm run quickstart');
    expect(tryIt).toContain('npm test');
    expect(pkg.scripts.quickstart).toBeDefined();
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).toMatch(/npm ci[^\n]*\nnpm test\n/);
  });
});
