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
import { evaluateRan, renderReport } from './lib/table.js';

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
const rows = evaluateRan(rowDefs(report.options), results);
const head = {
  ...report,
  mode: `${report.mode}, run ${report.startedAt}`,
  beam: report.machine.beam ?? undefined,
};
console.log(renderReport(head, rows));
if (values.out) writeFileSync(values.out, `${JSON.stringify({ ...report, rows }, null, 2)}\n`);
