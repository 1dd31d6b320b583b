/**
 * The table of an earlier run, read again from its `--out` file: the same medians, ratios and
 * targets as `npm run bench` prints, evaluated against the row definitions (and targets) of
 * this checkout. For a run whose targets changed after it, or to read a run on another machine.
 *
 *   node --import tsx bench/report.ts results.json [--out again.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ChildResult } from './lib/child.js';
import type { SuiteOptions } from './lib/jobs.js';
import { rowDefs } from './lib/rows.js';
import { evaluate, renderTable } from './lib/table.js';

const { values, positionals } = parseArgs({
  options: { out: { type: 'string' } },
  allowPositionals: true,
});
const file = positionals[0];
if (file === undefined)
  throw new TypeError('Expected the `--out` file of a bench run: bench/report.ts results.json');
const report = JSON.parse(readFileSync(file, 'utf8')) as {
  startedAt: string;
  durationS: number;
  mode: string;
  runs: number;
  options: SuiteOptions;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGB: number;
    node: string;
    load: number[];
    beam: string | null;
  };
  raw: Record<string, Array<Record<string, unknown> & { error?: string }>>;
};

const results = new Map<string, ChildResult[]>(
  Object.entries(report.raw).map(([job, list]) => [
    job,
    list.map(
      (json): ChildResult =>
        typeof json.error === 'string'
          ? { ok: false, error: json.error, seconds: 0 }
          : { ok: true, json, seconds: 0 },
    ),
  ]),
);
const rows = evaluate(
  rowDefs(report.options).filter((d) =>
    d.setpoint ? results.has(d.setpoint.job) : d.anchor?.source && results.has(d.anchor.source.job),
  ),
  results,
);
const m = report.machine;
console.log(
  `setpoint bench — ${report.mode}, run ${report.startedAt}; median (min–max) of ${report.runs} run(s) in fresh processes; ratio = setpoint / anchor`,
);
console.log(
  `machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB; node ${m.node}` +
    `${m.beam ? `; ${m.beam}` : '; BEAM figures published, not measured here'}; ` +
    `load ${m.load.join(' → ')}; took ${(report.durationS / 60).toFixed(1)} min\n`,
);
console.log(renderTable(rows));
const missed = rows.filter((r) => r.met === false).length;
const withTarget = rows.filter((r) => r.met !== undefined).length;
console.log(`\n${withTarget - missed} of ${withTarget} targets met.`);
if (values.out) writeFileSync(values.out, `${JSON.stringify({ ...report, rows }, null, 2)}\n`);
