import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES } from '../src/cli/commands.js';
import { runCli } from '../src/cli/main.js';
import { plural } from '../src/cli/plural.js';
import { capturedIo } from './helpers/captured-io.js';
import { tempProjects } from './helpers/temp-project.js';

/** The command line's small print: aligned help, usage errors, and counts with their nouns. */
const files = tempProjects('setpoint-cli-details-');

async function setpoint(dir: string, ...argv: string[]) {
  const { io, out } = capturedIo(dir);
  const code = await runCli(argv, io);
  return { code, ...out };
}

/**
 * The column each description of a help section starts in: a section is the lines after a
 * heading ending in ":" up to the next blank line; a description follows two or more spaces.
 */
function descriptionColumns(help: string, heading: string): number[] {
  const lines = help.split('\n');
  const start = lines.indexOf(heading);
  expect(start, `the help has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const section = lines.slice(start + 1, lines.indexOf('', start));
  expect(section.length).toBeGreaterThan(0);
  return section.map((line) => {
    const match = /^ {2}\S.*?\S {2,}(?=\S)/.exec(line);
    expect(match, `"${line}" has a usage, two spaces and a description`).not.toBeNull();
    return match![0].length;
  });
}

describe('help', () => {
  it("aligns every command's options in one column", async () => {
    for (const name of COMMAND_NAMES) {
      const help = await setpoint(process.cwd(), name, '--help');
      expect(help.code).toBe(0);
      const columns = descriptionColumns(help.stdout, 'Options:');
      expect(new Set(columns).size, `${name} --help:\n${help.stdout}`).toBe(1);
    }
  });

  it('aligns the commands, the common options and the other forms of setpoint --help', async () => {
    const help = await setpoint(process.cwd(), '--help');
    const columns = ['Commands:', 'Options for every command:', 'Other:'].flatMap((heading) =>
      descriptionColumns(help.stdout, heading),
    );
    expect(new Set(columns).size, help.stdout).toBe(1);
  });
});

describe('usage errors', () => {
  it('print one line saying what is wrong and where the help is, and exit 1 (never 2)', async () => {
    const cases: [string[], string][] = [
      [['deploy'], 'setpoint --help'],
      [['--json'], 'setpoint --help'],
      [['help', 'nope'], 'setpoint --help'],
      [['plan', '--bogus'], 'setpoint plan --help'],
      [['plan', 'extra'], 'setpoint plan --help'],
      [['validate', '-c'], 'setpoint validate --help'],
      [['status', '--json=yes'], 'setpoint status --help'],
      [['apply', '--timeout', 'soon'], 'setpoint apply --help'],
      [['run', '--log-level', 'loud'], 'setpoint run --help'],
      [['approve', '--key'], 'setpoint approve --help'],
    ];
    for (const [argv, pointer] of cases) {
      const done = await setpoint(process.cwd(), ...argv);
      const what = argv.join(' ');
      expect(done.code, what).toBe(1);
      expect(done.stdout, what).toBe('');
      expect(done.stderr.split('\n'), what).toHaveLength(2); // one line and its newline
      expect(done.stderr, what).toMatch(new RegExp(`^setpoint: \\S.*; see ${pointer}\\n$`));
      expect(done.stderr, what).not.toContain('Usage:');
    }
  });

  it('names the unknown option and the options there are', async () => {
    const done = await setpoint(process.cwd(), 'plan', '--detailed');
    expect(done.stderr).toBe(
      'setpoint: unknown option "--detailed" for plan (its options: --detailed-exitcode, --config (-c), --json, --help (-h)); see setpoint plan --help\n',
    );
  });
});

describe('counts', () => {
  it('say "1 resource" and "2 resources"', () => {
    expect(plural(0, 'resource')).toBe('0 resources');
    expect(plural(1, 'resource')).toBe('1 resource');
    expect(plural(2, 'resource')).toBe('2 resources');
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(3, 'entry', 'entries')).toBe('3 entries');
  });

  it('are singular for one in the messages of validate, apply, plan and status', async () => {
    const dir = files({
      'setpoint.yaml':
        'resources: ["resources/*.yaml"]\nproviders:\n  files: { use: file, options: { root: ./out } }\n' +
        'defaults: { prune: true }\nserver: { listen: "127.0.0.1:1" }\n',
      'resources/a.yaml': 'kind: files\nname: a.txt\nspec: { path: a.txt, content: "a\\n" }\n',
      'resources/b.yaml': 'kind: files\nname: b.txt\nspec: { path: b.txt, content: "b\\n" }\n',
    });
    expect((await setpoint(dir, 'validate')).stdout).toContain(
      'is valid: 2 resources in 2 files, 1 kind (files).',
    );
    expect((await setpoint(dir, 'apply')).code).toBe(0);

    rmSync(join(dir, 'resources/b.yaml'));
    const pruning = await setpoint(dir, 'apply');
    expect(pruning.stdout).toContain(
      'Applying 1 resource from setpoint.yaml, pruning 1 resource no longer desired.',
    );
    expect(pruning.stdout).toContain('Apply complete: 1 resource in sync; 1 deleted');

    writeFileSync(join(dir, 'resources/a.yaml'), '# nothing here any more\n');
    const emptied = await setpoint(dir, 'plan');
    expect(emptied.code).toBe(1);
    expect(emptied.stderr).toContain('would delete all 1 managed resource. Set `defaults.allowEmpty: true`');

    const status = await setpoint(dir, 'status');
    expect(status.stdout).toContain('1 managed; 0 intents pending.');

    const broken = files({ 'setpoint.yaml': 'resources: [\n' });
    const invalid = await setpoint(broken, 'validate');
    expect(invalid.stderr).toMatch(/\n1 problem found; nothing was changed\.\n$/);
  });
});
