/**
 * `npm run soak`: hours of virtual time, thousands of resources, faults on, every invariant
 * checked at every call and event. Prints the report and exits 1 if any invariant broke or the
 * world did not converge, with the command that replays the run.
 *
 *   npm run soak                                  # 10,000 resources, 24 h, seed 1
 *   npm run soak -- --seed 7 --resources 1000 --hours 1
 *   npm run soak -- --seed 7 --fault-hours 23 --crash-rate 0.001 --json
 *
 * The configuration is `soakOptions` in `src/sim/soak-profile.ts`; `docs/reliability.md` has
 * the figures as last measured.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { formatReport, type SoakSettings, simulate, soakCommand, soakOptions } from '../src/sim/index.js';

const USAGE = `usage: npm run soak -- [--seed N] [--resources N] [--hours H] [--fault-hours H] [--crash-rate R] [--json] [--quiet]`;

function numberFlag(
  name: string,
  text: string | undefined,
  check: (n: number) => boolean,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || !check(value)) {
    process.stderr.write(`soak: --${name} ${text} is not valid\n${USAGE}\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<number> {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags();
  } catch (error) {
    process.stderr.write(`soak: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values } = parsed;
  const settings: SoakSettings = {
    seed: numberFlag('seed', values.seed, Number.isInteger) ?? 1,
    ...optional(
      'resources',
      numberFlag('resources', values.resources, (n) => Number.isInteger(n) && n >= 1),
    ),
    ...optional(
      'hours',
      numberFlag('hours', values.hours, (n) => n > 0),
    ),
    ...optional(
      'faultHours',
      numberFlag('fault-hours', values['fault-hours'], (n) => n >= 0),
    ),
    ...optional(
      'crashRate',
      numberFlag('crash-rate', values['crash-rate'], (n) => n >= 0 && n <= 1),
    ),
  };
  const options = soakOptions(settings);
  const started = performance.now();
  const wall = () => ((performance.now() - started) / 1000).toFixed(1);
  const quiet = values.quiet === true || values.json === true;
  let report: Awaited<ReturnType<typeof simulate>>;
  try {
    report = await simulate({
      ...options,
      onProgress: (atMs) => {
        if (!quiet) {
          const heap = (process.memoryUsage().heapUsed / 1e6).toFixed(0);
          process.stderr.write(
            `  ${(atMs / 3_600_000).toFixed(1)} h virtual, ${wall()} s wall, ${heap} MB heap\n`,
          );
        }
      },
    });
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    process.stderr.write(`soak: ${error.message}\n${USAGE}\n`);
    return 2;
  }
  const wallSeconds = Number(wall());
  const failed = !report.converged || Object.values(report.violationCounts).some((n) => n > 0);
  const replay = soakCommand(settings);
  if (values.json === true) {
    process.stdout.write(
      `${JSON.stringify({ ...report, wallSeconds, ...(failed ? { replay } : {}) }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(`${formatReport(report, { replay })}\nwall time: ${wallSeconds} s\n`);
  }
  return failed ? 1 : 0;
}

function parseFlags() {
  return parseArgs({
    options: {
      seed: { type: 'string' },
      resources: { type: 'string' },
      hours: { type: 'string' },
      'fault-hours': { type: 'string' },
      'crash-rate': { type: 'string' },
      json: { type: 'boolean' },
      quiet: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
}

function optional<K extends string>(key: K, value: number | undefined): { [P in K]?: number } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: number };
}

process.exitCode = await main();
