/**
 * The whole performance suite in one command: every measure, each run in a fresh process,
 * repeated, with setpoint and its anchors back to back in the same invocation; one table of
 * medians (min–max over runs), ratios to the anchors and the targets.
 *
 *   npm run bench                               full run (~17 min on 2 cores)
 *   npm run bench -- --quick --out results.json smoke run (~3 min, 2 rounds), rows also as JSON
 *   npm run bench -- --only latency --runs 5    only the jobs whose name contains "latency"
 *
 * Anchors: the plain-Node limit (bench/actors.ts), raw xstate v5 (bench/xstate-anchor.ts),
 * microdiff (bench/diff.ts), bare `node:http` servers for the desired-state API (bench/api.ts),
 * the same Git fetch and service start done without setpoint (bench/gitops.ts), fetch + parse
 * of the dashboard's snapshot and a plain Node client on its feed (bench/dashboard.ts) and the BEAM
 * (bench/anchors/reconciler.exs, when `elixir` is installed; otherwise its published figures,
 * marked as such). Rounds are interleaved: every
 * job runs once, then every job again, so slow drift of the machine spreads over all of them.
 * Progress goes to stderr; the table to stdout.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type ChildResult, runChild } from './lib/child.js';
import { type Job, jobs, suiteOptions } from './lib/jobs.js';
import { rowDefs } from './lib/rows.js';
import { evaluateRan, renderReport } from './lib/table.js';

const { values } = parseArgs({
  options: {
    /** Default 3; 2 with --quick. */
    runs: { type: 'string' },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});
const runs = Number(values.runs ?? (values.quick ? 2 : 3));
if (!Number.isInteger(runs) || runs < 1) {
  throw new TypeError(`Expected \`--runs\` to be a whole number from 1 up, got \`${values.runs}\``);
}
const options = suiteOptions(values.quick === true);
const only = values.only;
const selected = jobs(options).filter((j) => only === undefined || j.name.includes(only));
if (selected.length === 0) {
  const names = jobs(options).map((j) => j.name);
  throw new TypeError(`\`--only ${only}\` matches no job; jobs are: ${names.join(', ')}`);
}

const started = Date.now();
const loadAtStart = os.loadavg()[0] ?? 0;
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const log = (message: string) => process.stderr.write(`[bench ${elapsed()}] ${message}\n`);

log(
  `${options.quick ? 'quick' : 'full'} run, ${runs} round(s), ${selected.length} job(s); ` +
    `BEAM anchor ${options.elixir ? 'measured (elixir found)' : 'published (elixir not installed)'}`,
);
const results = new Map<string, ChildResult[]>();
const plan: Array<{ job: Job; round: number }> = [];
for (let round = 1; round <= runs; round++) {
  for (const job of selected) if (round === 1 || !job.once) plan.push({ job, round });
}
for (const [i, { job, round }] of plan.entries()) {
  const of = job.once ? 1 : runs;
  log(`(${i + 1}/${plan.length}) ${job.name} run ${round}/${of}: ${job.about}`);
  const result = await runChild(job.command);
  log(
    `${job.name} run ${round}/${of} ${result.ok ? 'done' : `FAILED (${result.error})`} in ${result.seconds.toFixed(1)} s`,
  );
  const list = results.get(job.name) ?? [];
  list.push(result);
  results.set(job.name, list);
}

const rows = evaluateRan(rowDefs(options), results);
const cpus = os.cpus();
const machine = {
  cpus: cpus.length,
  cpuModel: cpus[0]?.model ?? 'unknown',
  memoryGB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.type()} ${os.release()} ${os.arch()}`,
  /** 1-minute load average before and after: other work on the machine skews the figures. */
  load: [loadAtStart, os.loadavg()[0] ?? 0].map((l) => +l.toFixed(2)),
};
const beam = results.get('beam')?.find((r) => r.ok);
const beamVersion = beam?.ok ? `OTP ${String(beam.json.otp)}, Elixir ${String(beam.json.elixir)}` : undefined;
const durationS = (Date.now() - started) / 1000;

const mode = options.quick ? `quick (${options.count / 1000}k actors, ${options.seconds} s windows)` : 'full';
console.log(renderReport({ mode, runs, machine, beam: beamVersion, durationS }, rows));

if (values.out) {
  const report = {
    startedAt: new Date(started).toISOString(),
    durationS,
    mode: options.quick ? 'quick' : 'full',
    runs,
    options,
    machine: { ...machine, beam: beamVersion ?? null },
    rows,
    raw: Object.fromEntries(
      [...results].map(([name, list]) => [name, list.map((r) => (r.ok ? r.json : { error: r.error }))]),
    ),
  };
  writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
  log(`wrote ${values.out}`);
}
