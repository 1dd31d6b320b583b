/**
 * Check an exercise: run its `check.test.ts` against your `starter.ts`, and say what passes,
 * what fails, and the hint for each failure.
 *
 *   npm run exercise                        # list the exercises
 *   npm run exercise -- 04                  # check exercises/04-dependency-resolution/starter.ts
 *   npm run exercise -- 04 --solution       # check the solution instead (it passes)
 *   npm run exercise -- 04 --details        # also print vitest's own report, with full diffs
 *
 * Exits 0 when every check passes, 1 otherwise.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface AssertionResult {
  readonly title: string;
  readonly ancestorTitles: readonly string[];
  readonly status: string;
  readonly failureMessages: readonly string[];
}

interface JsonReport {
  readonly numTotalTests: number;
  readonly numFailedTests: number;
  readonly testResults: readonly {
    readonly message: string;
    readonly assertionResults: readonly AssertionResult[];
  }[];
}

const root = resolve(import.meta.dirname, '..');
const exercises = readdirSync(join(root, 'exercises'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && /^\d\d-/.test(entry.name))
  .map((entry) => entry.name)
  .sort();

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const flags = new Set(args.filter((arg) => arg.startsWith('--')));
const wanted = args.find((arg) => !arg.startsWith('--'));

if (wanted === undefined) {
  console.log('Exercises (check one with `npm run exercise -- NN`):');
  for (const name of exercises) console.log(`  ${name}`);
  process.exit(0);
}

const padded = /^\d$/.test(wanted) ? `0${wanted}` : wanted;
const name = exercises.find((e) => e === padded || e.startsWith(`${padded}-`));
if (!name) {
  console.error(
    `No exercise matches "${wanted}". There are: ${exercises.map((e) => e.slice(0, 2)).join(', ')}.`,
  );
  process.exit(1);
}

const impl = flags.has('--solution') ? 'solution' : 'starter';
const scratch = mkdtempSync(join(tmpdir(), 'setpoint-exercise-'));
const reportFile = join(scratch, 'report.json');

/** Run vitest on the exercise's check; resolve with its combined output. */
function runCheck(): Promise<string> {
  const bin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const child = spawn(
    process.execPath,
    [
      bin,
      'run',
      '--config',
      'exercises/vitest.config.ts',
      `exercises/${name}/check.test.ts`,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${reportFile}`,
    ],
    { cwd: root, env: { ...process.env, SETPOINT_EXERCISE_IMPL: impl, FORCE_COLOR: '0', NO_COLOR: '1' } },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((done) => child.on('close', () => done(output)));
}

/** The part of a failure message a learner needs: the message and the hint, not the stack. */
function essence(message: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing terminal colour codes
  const lines = message.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const stack = lines.findIndex((line) => /^\s+at /.test(line));
  return lines
    .slice(0, stack < 0 ? 12 : Math.min(stack, 12))
    .filter((line) => line.trim() !== '')
    .join('\n');
}

console.log(`Checking exercises/${name}/${impl}.ts ...\n`);
const output = await runCheck();
let report: JsonReport | undefined;
try {
  report = JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport;
} catch {
  report = undefined;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (flags.has('--details') || !report) console.log(output);
if (!report) {
  console.log('The check could not run (see the output above). Does the file compile?');
  process.exit(1);
}

const results = report.testResults.flatMap((file) => file.assertionResults);
for (const result of results) {
  const title = [...result.ancestorTitles, result.title].join(' › ');
  console.log(`${result.status === 'passed' ? '  ✓' : '  ✗'} ${title}`);
  if (result.status === 'failed') {
    for (const line of essence(result.failureMessages[0] ?? '').split('\n')) console.log(`      ${line}`);
    console.log('');
  }
}
const fileError = report.testResults.find((file) => file.message !== '')?.message;
if (fileError) {
  // Your file failed to load, or something the check needs is missing (exercise 09's PostgreSQL).
  console.log(`The check could not run against your ${impl}.ts:\n\n${essence(fileError)}\n`);
  console.log('Fix that first (`npx tsc --noEmit` shows type errors too), then run the check again.');
  process.exit(1);
}

const failed = report.numFailedTests;
const total = report.numTotalTests;
console.log('');
if (failed === 0 && total > 0 && !fileError) {
  console.log(
    `All ${total} checks pass.${impl === 'starter' ? ` Compare with exercises/${name}/solution.ts.` : ''}`,
  );
  process.exit(0);
}
console.log(
  `${failed} of ${total} checks fail. Start with the first; exercises/${name}/README.md has the rules.`,
);
console.log('Run with --details for the full expected/received diff.');
process.exit(1);
