import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { capturedIo } from '../../test/helpers/captured-io.js';

/** The text block under `## <heading>` in the README. */
function block(heading: string): string[] {
  const readme = readFileSync(join(import.meta.dirname, 'README.md'), 'utf8');
  const found = new RegExp(`## ${heading}\\s+\`\`\`text\\n([\\s\\S]*?)\\n\`\`\``).exec(readme);
  if (!found) throw new Error(`README.md has no "## ${heading}" block`);
  return found[1]!.split('\n');
}

/** Run the command in-process, from `cwd`, capturing what it writes. */
async function setpoint(cwd: string, ...argv: string[]) {
  const { io, out } = capturedIo(cwd);
  const code = await runCli(argv, io);
  return { code, ...out };
}

let root: string;
const config = 'examples/quickstart/setpoint.yaml';
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'setpoint-quickstart-'));
  cpSync(import.meta.dirname, join(root, 'examples', 'quickstart'), {
    recursive: true,
    filter: (path) => !/[\\/](out|\.setpoint)$/.test(path),
  });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('applies the quickstart as its README shows', async () => {
  const done = await setpoint(root, 'apply', '-c', config);
  expect(done.code).toBe(0);
  const expected = block('Output');
  const lines = done.stdout.trimEnd().split('\n');
  const untimed = (line: string) => line.replace(/\(\d+(\.\d)?m?s\)\.$/, '(…).');
  expect(lines[0]).toBe(expected[0]);
  expect(untimed(lines.at(-1)!)).toBe(untimed(expected.at(-1)!));
  expect(lines.slice(1, -1).sort()).toEqual(expected.slice(1, -1).sort());
  expect(lines.indexOf('  + files/site: created')).toBeLessThan(
    lines.indexOf('  + files/site/index.html: created'),
  );
  const again = await setpoint(root, 'apply', '-c', config);
  expect(again.stdout).toMatch(/Apply complete: 4 resources in sync; nothing to change/);
});

it('plans what its README shows after the world is changed by hand', async () => {
  const out = join(root, 'examples', 'quickstart', 'out');
  writeFileSync(join(out, 'motd.txt'), 'hacked\n');
  unlinkSync(join(out, 'site', 'about.html'));
  const done = await setpoint(root, 'plan', '-c', config);
  expect(done.code).toBe(0);
  expect(done.stdout.trimEnd().split('\n')).toEqual(block('Plan'));
});
