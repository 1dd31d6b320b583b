/**
 * Every exercise's check runs both ways: against its `starter.ts` it must fail (a check that
 * passes on the starter teaches nothing), and against its `solution.ts` it must pass. The checks
 * run in two vitest processes, one per side, side by side; each reports as JSON. The checks that
 * need a PostgreSQL use this run's (`SETPOINT_TEST_DATABASE_URL`) rather than start their own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

interface FileReport {
  readonly name: string;
  readonly status: string;
  readonly message: string;
  readonly assertionResults: readonly { readonly title: string; readonly status: string }[];
}

type Side = 'starter' | 'solution';

const root = resolve(import.meta.dirname, '..');
const exercises = readdirSync(join(root, 'exercises'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && /^\d\d-/.test(entry.name))
  .map((entry) => entry.name)
  .sort();
const scratch = mkdtempSync(join(tmpdir(), 'setpoint-exercises-'));
const reports = new Map<Side, Map<string, FileReport>>();

/** Run every check against one side; resolve with the report of each check file, by exercise. */
function runChecks(side: Side): Promise<Map<string, FileReport>> {
  const out = join(scratch, `${side}.json`);
  // A clean environment: nothing of this vitest run may leak into the child's.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST')));
  const child = spawn(
    process.execPath,
    [
      join(root, 'node_modules', 'vitest', 'vitest.mjs'),
      'run',
      '--config',
      'exercises/vitest.config.ts',
      '--reporter=json',
      `--outputFile=${out}`,
    ],
    {
      cwd: root,
      env: {
        ...env,
        SETPOINT_EXERCISE_IMPL: side,
        SETPOINT_TEST_DATABASE_URL: inject('databaseUrl'),
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', () => {
      try {
        const json = JSON.parse(readFileSync(out, 'utf8')) as { testResults: FileReport[] };
        done(
          new Map(json.testResults.map((file) => [file.name.split('/exercises/')[1]!.split('/')[0]!, file])),
        );
      } catch (error) {
        fail(new Error(`the ${side} run produced no report:\n${output}`, { cause: error }));
      }
    });
  });
}

beforeAll(async () => {
  const [starter, solution] = await Promise.all([runChecks('starter'), runChecks('solution')]);
  reports.set('starter', starter);
  reports.set('solution', solution);
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const failedTitles = (file: FileReport) =>
  file.assertionResults.filter((a) => a.status !== 'passed').map((a) => a.title);

describe('the exercises', () => {
  it('are the twelve of the learning path, numbered without gaps', () => {
    expect(exercises.length).toBeGreaterThanOrEqual(12);
    expect(exercises.map((name) => name.slice(0, 2))).toEqual(
      exercises.map((_, i) => String(i + 1).padStart(2, '0')),
    );
  });

  for (const name of exercises) {
    describe(name, () => {
      it('has a check that runs and fails against the starter', () => {
        const file = reports.get('starter')?.get(name);
        expect(file, `no report for exercises/${name}/check.test.ts`).toBeDefined();
        expect(file!.message, 'the check must load the starter and fail its tests, not fail to load').toBe(
          '',
        );
        expect(file!.assertionResults.length).toBeGreaterThan(0);
        expect(
          failedTitles(file!).length,
          'a check that passes on the starter teaches nothing',
        ).toBeGreaterThan(0);
      });

      it('has a check that passes against the solution', () => {
        const file = reports.get('solution')?.get(name);
        expect(file, `no report for exercises/${name}/check.test.ts`).toBeDefined();
        expect(file!.message).toBe('');
        expect(file!.assertionResults.length).toBe(
          reports.get('starter')?.get(name)?.assertionResults.length,
        );
        expect(failedTitles(file!), 'the solution must pass every check').toEqual([]);
      });
    });
  }
});
