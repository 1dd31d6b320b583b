/**
 * The command line's cold start, as an installed package runs it: `setpoint validate` on the
 * quickstart and `setpoint --version`, from the bundle a build ships (`dist/bundle/`, made afresh
 * here), each a new Node process, interleaved run by run with the floor: `node -e 0`, a Node
 * process that does nothing. Wall time from spawn to exit; medians and p90 over the runs.
 *
 *   node --import tsx bench/cli-start.ts [--quick] [--runs N] [--json]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleCli } from './lib/cli-bundle.js';
import { nowMs, progress, report } from './lib/measure.js';
import { formatNumber, statOf } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs ?? (values.quick ? 8 : 25));
const quickstart = fileURLToPath(new URL('../examples/quickstart/', import.meta.url));

progress('cli-start: bundling the command line as a build does');
const cli = bundleCli();
try {
  const timed = (args: string[]): number => {
    const t0 = nowMs();
    const run = spawnSync(process.execPath, args, { cwd: quickstart, stdio: 'pipe' });
    const ms = nowMs() - t0;
    if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    return ms;
  };
  const commands = {
    floor: ['-e', '0'],
    validate: [cli.bin, 'validate', '-c', join(quickstart, 'setpoint.yaml')],
    version: [cli.bin, '--version'],
  };
  for (const args of Object.values(commands)) timed(args); // the file cache warm, as on a second start
  const times = { floor: [] as number[], validate: [] as number[], version: [] as number[] };
  for (let i = 0; i < RUNS; i++) {
    for (const [name, args] of Object.entries(commands)) times[name as keyof typeof times].push(timed(args));
  }
  const stat = (xs: number[]) => {
    const s = statOf(xs)!;
    return { median: s.median, p90: [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)] ?? s.max };
  };
  const floor = stat(times.floor);
  const validate = stat(times.validate);
  const version = stat(times.version);
  const result = {
    bench: 'cli-start',
    runs: RUNS,
    floor,
    validate: { ...validate, ratio: validate.median / floor.median },
    version: { ...version, ratio: version.median / floor.median },
  };
  report(values.json === true, result, () => {
    const f = formatNumber;
    return [
      `cli-start: ${RUNS} runs each, interleaved`,
      `  node -e 0:                     median ${f(floor.median)} ms, p90 ${f(floor.p90)} ms`,
      `  setpoint validate, quickstart: median ${f(validate.median)} ms, p90 ${f(validate.p90)} ms (${f(result.validate.ratio)}×)`,
      `  setpoint --version:            median ${f(version.median)} ms, p90 ${f(version.p90)} ms (${f(result.version.ratio)}×)`,
    ].join('\n');
  });
} finally {
  cli.remove();
}
