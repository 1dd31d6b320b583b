/**
 * From the runs' JSON to the table: each row's setpoint figure and anchor as median (min–max)
 * over runs, their ratio, and whether the target is met; rendered as one Markdown table.
 */
import type { ChildResult } from './child.js';
import { meets, type RowDef, type Source } from './rows.js';
import { formatNumber, formatStat, pick, type Stat, statOf } from './stats.js';

export interface RowResult {
  readonly measure: string;
  readonly unit: string;
  readonly setpoint?: Stat;
  readonly setpointError?: string;
  readonly anchor?: {
    readonly label: string;
    readonly stat?: Stat;
    /** The published figure, shown when the anchor was not measured in this invocation. */
    readonly published?: string;
    readonly error?: string;
  };
  /** setpoint / anchor: median of per-run ratios when both come from the same run, else of medians. */
  readonly ratio?: number;
  readonly target?: string;
  readonly met?: boolean;
}

type Runs = ReadonlyMap<string, readonly ChildResult[]>;

function read(runs: Runs, source: Source): { stat?: Stat; error?: string; values: (number | undefined)[] } {
  const results = runs.get(source.job);
  if (!results) return { error: 'not run', values: [] };
  const values = results.map((r) => (r.ok ? pick(r.json, source.path) : undefined));
  const stat = statOf(values.filter((v): v is number => v !== undefined));
  if (stat) return { stat, values };
  const failure = results.find((r) => !r.ok);
  return { error: failure && !failure.ok ? `failed: ${failure.error}` : 'no figure', values };
}

export function evaluate(defs: readonly RowDef[], runs: Runs): RowResult[] {
  return defs.map((def) => {
    const sp = def.setpoint ? read(runs, def.setpoint) : undefined;
    let anchor: RowResult['anchor'];
    let anchorValue: number | undefined;
    let ratio: number | undefined;
    if (def.anchor) {
      const a = def.anchor.source ? read(runs, def.anchor.source) : undefined;
      if (a?.stat) {
        anchor = { label: def.anchor.label, stat: a.stat };
        anchorValue = a.stat.median;
      } else if (def.anchor.published && (!a || a.error === 'not run')) {
        anchor = { label: def.anchor.label, published: def.anchor.published.text };
        anchorValue = def.anchor.published.value;
      } else {
        anchor = { label: def.anchor.label, error: a?.error ?? 'no figure' };
      }
      if (sp?.stat && anchorValue !== undefined) {
        const sameRuns =
          a?.stat && def.setpoint && def.anchor.source && def.setpoint.job === def.anchor.source.job;
        if (sameRuns) {
          const perRun = sp.values.map((v, i) => {
            const w = a.values[i];
            return v !== undefined && w !== undefined && w !== 0 ? v / w : Number.NaN;
          });
          ratio = statOf(perRun)?.median;
        }
        ratio ??= anchorValue !== 0 ? sp.stat.median / anchorValue : undefined;
      }
    }
    let met: boolean | undefined;
    if (def.target) {
      const x = def.target.on === 'value' ? sp?.stat?.median : ratio;
      met = x !== undefined && meets(def.target, x);
    }
    return {
      measure: def.measure,
      unit: def.unit,
      ...(sp?.stat ? { setpoint: sp.stat } : sp ? { setpointError: sp.error } : {}),
      ...(anchor ? { anchor } : {}),
      ...(ratio !== undefined ? { ratio } : {}),
      ...(def.target ? { target: def.target.text, met } : {}),
    };
  });
}

function anchorCell(a: RowResult['anchor']): string {
  if (!a) return '—';
  if (a.stat) return `${a.label}: ${formatStat(a.stat)}`;
  if (a.published) return `${a.label}: ${a.published} (published)`;
  return `${a.label}: ${a.error}`;
}

/** One Markdown table; a measure compared with several anchors is named once. */
export function renderTable(rows: readonly RowResult[]): string {
  const header = ['measure', 'setpoint', 'anchor', 'ratio', 'target', 'met'];
  const body = rows.map((r, i) => {
    const repeat = i > 0 && rows[i - 1]!.measure === r.measure;
    return [
      repeat ? '' : `${r.measure} [${r.unit}]`,
      repeat ? '' : r.setpoint ? formatStat(r.setpoint) : (r.setpointError ?? '—'),
      anchorCell(r.anchor),
      r.ratio !== undefined ? `${formatNumber(r.ratio)}×` : '—',
      r.target ?? '',
      r.met === undefined ? '' : r.met ? 'yes' : '**no**',
    ];
  });
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((cells) => cells[c]!.length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The rows of `defs` whose job ran (setpoint's figure, or else the anchor's), evaluated. */
export function evaluateRan(defs: readonly RowDef[], runs: Runs): RowResult[] {
  return evaluate(
    defs.filter((d) =>
      d.setpoint ? runs.has(d.setpoint.job) : d.anchor?.source && runs.has(d.anchor.source.job),
    ),
    runs,
  );
}

/** What a report says above its table. */
export interface ReportHead {
  /** `full`, or `quick (…)`, and when it ran, when not now. */
  readonly mode: string;
  readonly runs: number;
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly memoryGB: number;
    readonly node: string;
    readonly load: readonly number[];
  };
  /** `OTP …, Elixir …` when the BEAM was measured. */
  readonly beam: string | undefined;
  readonly durationS: number;
}

/** The whole report as `npm run bench` prints it: the run, the machine, the table, the targets met. */
export function renderReport(head: ReportHead, rows: readonly RowResult[]): string {
  const m = head.machine;
  const missed = rows.filter((r) => r.met === false).length;
  const withTarget = rows.filter((r) => r.met !== undefined).length;
  return [
    `setpoint bench — ${head.mode}; median (min–max) of ${head.runs} run(s) in fresh processes; ratio = setpoint / anchor`,
    `machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB; node ${m.node}` +
      `${head.beam ? `; ${head.beam}` : '; BEAM figures published, not measured here'}; ` +
      `load ${m.load.join(' → ')}; took ${(head.durationS / 60).toFixed(1)} min\n`,
    renderTable(rows),
    `\n${withTarget - missed} of ${withTarget} targets met.`,
  ].join('\n');
}
