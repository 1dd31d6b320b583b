import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { TestClock } from '../../src/runtime/clock.js';
import { main } from './main.js';

/** The block under "## Output" in the README. */
function expectedOutput(): string[] {
  const readme = readFileSync(join(import.meta.dirname, 'README.md'), 'utf8');
  const block = /## Output\s+```text\n([\s\S]*?)\n```/.exec(readme);
  if (!block) throw new Error('README.md has no "## Output" block');
  return block[1]!.split('\n');
}

it('prints the restart and the escalation exactly as its README shows', async () => {
  const lines: string[] = [];
  await main(new TestClock(), (line) => lines.push(line));
  expect(lines).toEqual(expectedOutput());
});
