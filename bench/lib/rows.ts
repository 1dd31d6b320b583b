/**
 * The table: one row per (measure, anchor) pair. Each row names where setpoint's figure and
 * its anchor's come from (a job's JSON, a constant such as the N·lat/conc limit, or the
 * published BEAM figure), and the target, on the figure itself or on the ratio to the anchor.
 */

import { apiRows } from './api-rows.js';
import { dashboardRows } from './dashboard-rows.js';
import { gitopsRows } from './gitops-rows.js';
import type { SuiteOptions } from './jobs.js';
import { PUBLISHED_BEAM, type Published } from './published.js';
import { scaleOutRows } from './scale-out-rows.js';

/** Where a figure comes from: `path` in the JSON each run of `job` printed. */
export interface Source {
  readonly job: string;
  readonly path: string;
}

export interface AnchorDef {
  readonly label: string;
  readonly source?: Source;
  /** Shown, marked "(published)", when `source`'s job did not run. */
  readonly published?: Published;
}

export interface Target {
  /** Compare setpoint's median itself, or its ratio to the anchor. */
  readonly on: 'value' | 'ratio';
  readonly op: '<=' | '<' | '>=';
  readonly value: number;
  readonly text: string;
}

export interface RowDef {
  readonly measure: string;
  readonly unit: string;
  readonly setpoint?: Source;
  readonly anchor?: AnchorDef;
  readonly target?: Target;
}

export function meets(t: Target, x: number): boolean {
  if (t.op === '<=') return x <= t.value;
  if (t.op === '<') return x < t.value;
  return x >= t.value;
}

const k = (n: number) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

export function rowDefs(o: SuiteOptions): RowDef[] {
  const n = k(o.count);
  const beamKey = (path: keyof typeof PUBLISHED_BEAM, label: string, beamPath: string = path): AnchorDef => ({
    label,
    source: { job: 'beam', path: beamPath },
    published: PUBLISHED_BEAM[path],
  });
  const sp = (job: string, path: string): Source => ({ job, path });
  const value = (op: Target['op'], v: number, text: string): Target => ({ on: 'value', op, value: v, text });
  const ratio = (op: Target['op'], v: number, text: string): Target => ({ on: 'ratio', op, value: v, text });
  const naive = (path: string) => [
    { label: 'raw xstate, action', source: sp('xstate-action', path) },
    { label: 'raw xstate, invoke', source: sp('xstate-invoke', path) },
  ];
  const fanOut = (
    measure: string,
    unit: string,
    setpoint: Source,
    anchors: AnchorDef[],
    target: Target,
  ): RowDef[] =>
    anchors.map((anchor, i) => ({ measure, unit, setpoint, anchor, ...(i === 0 ? { target } : {}) }));
  /** A target on each of several anchors (a ratio to each, say), by the anchor's label. */
  const targeted = (rows: RowDef[], targets: Record<string, Target>): RowDef[] =>
    rows.map((row) => {
      const target = row.anchor ? targets[row.anchor.label] : undefined;
      const { target: _, ...rest } = row;
      return target ? { ...rest, target } : rest;
    });

  const heap = sp('actors', 'setpoint.bytesPerActor');
  const cpu = sp('actors', 'setpoint.cpuUsPerTick');
  const tps = sp('actors', 'setpoint.ticksPerSec');
  const rows: RowDef[] = [
    ...fanOut(
      `heap per idle actor incl. status, ${n}`,
      'B',
      heap,
      [
        beamKey('bytesPerProcessHibernated', 'BEAM hibernated'),
        beamKey('bytesPerProcess', 'BEAM'),
        ...naive('bytesPerActor'),
        { label: 'plain-Node limit', source: sp('limit', 'limit.bytesPerActor') },
      ],
      value('<=', 1000, '≤ 1,000 B'),
    ),
    ...targeted(
      fanOut(
        `CPU per no-op tick, ${n} at 1 s`,
        'µs',
        cpu,
        [
          beamKey('cpuUsPerTick', 'BEAM', 'ticks.cpuUsPerTick'),
          ...naive('cpuUsPerTick'),
          { label: 'plain-Node limit', source: sp('limit', 'limit.cpuUsPerTick') },
        ],
        ratio('<=', 0.8, '≤ 0.8× BEAM'),
      ),
      { BEAM: ratio('<=', 0.8, '≤ 0.8× BEAM'), 'plain-Node limit': ratio('<=', 1.15, '≤ 1.15× limit') },
    ),
    ...fanOut(
      `ticks/s sustained, ${n} at 1 s`,
      '/s',
      tps,
      [
        beamKey('ticksPerSec', 'BEAM', 'ticks.ticksPerSec'),
        ...naive('ticksPerSec'),
        { label: 'plain-Node limit', source: sp('limit', 'limit.ticksPerSec') },
      ],
      value('>=', o.count * 0.95, `≥ ${k(o.count * 0.95)}/s`),
    ),
    ...fanOut(
      `restart of a crashed actor, batch of ${k(o.crashes)}, each`,
      'µs',
      sp('latency', 'restart.batch.usEach'),
      [beamKey('restartBatchUs', 'BEAM')],
      value('<=', 60, '≤ 60 µs'),
    ),
    ...fanOut(
      'restart, supervisor alone (trivial child), batch of 1k, each',
      'µs',
      sp('supervisor', 'restartBatchUs'),
      [beamKey('restartBatchUs', 'BEAM')],
      value('<=', 60, '≤ 60 µs'),
    ),
    ...fanOut(
      'restart of a crashed actor, single, p50',
      'µs',
      sp('latency', 'restart.single.p50'),
      [beamKey('restartSingleP50Us', 'BEAM')],
      ratio('<=', 0.5, '≤ 0.5× BEAM'),
    ),
    ...fanOut(
      'restart, supervisor alone (trivial child), single, p50',
      'µs',
      sp('supervisor', 'restartSingleP50Us'),
      [beamKey('restartSingleP50Us', 'BEAM')],
      value('<=', 30, 'p50 ≤ 30 µs'),
    ),
    ...fanOut(
      `start ${n} actors (setDesired), each`,
      'µs',
      sp('actors', 'setpoint.startUsPerActor'),
      [beamKey('startUs', 'BEAM'), ...naive('startUsPerActor')],
      value('<=', 12, '≤ 12 µs'),
    ),
    ...fanOut(
      'start 100k, supervisor alone (trivial child), each',
      'µs',
      sp('supervisor', 'startUs'),
      [beamKey('startUs', 'BEAM')],
      value('<=', 12, '≤ 12 µs'),
    ),
    ...fanOut(
      `stop ${n} actors (runtime.stop)`,
      'ms',
      sp('actors', 'setpoint.stopMs'),
      [beamKey('stopMs', 'BEAM simple_one_for_one'), ...naive('stopMs')],
      value('<', 1000, '< 1,000 ms'),
    ),
    ...fanOut(
      'stop 100k, supervisor alone (trivial child)',
      'ms',
      sp('supervisor', 'stopMs'),
      [beamKey('stopMs', 'BEAM simple_one_for_one')],
      value('<', 1000, '< 1,000 ms'),
    ),
    {
      measure: `stop, Elixir DynamicSupervisor, ${o.elixir ? k(o.quick ? 5000 : 20_000) : '100k'} children`,
      unit: 'ms',
      anchor: {
        label: 'BEAM DynamicSupervisor',
        source: sp('beam', 'dynStopMs'),
        published: PUBLISHED_BEAM.dynStopMs100k,
      },
    },
    ...fanOut(
      'keyed diff of 100k, 1 % changed',
      'ms',
      sp('diff', 'setpoint.medianMs'),
      [
        { label: 'microdiff', source: sp('diff', 'microdiff.medianMs') },
        { label: 'microdiff on specs', source: sp('diff', 'microdiffSpecs.medianMs') },
      ],
      ratio('<=', 0.65, '≤ 0.65× microdiff'),
    ),
    ...fanOut(
      'convergence: 10k created, 10 ms calls, concurrency 64',
      's',
      sp('convergence', 'create.seconds'),
      [{ label: 'limit N·lat/conc', source: sp('convergence', 'limitS') }],
      ratio('<=', 1.05, '≤ 1.05× limit'),
    ),
    ...fanOut(
      'convergence: 10k already in sync (adopted)',
      's',
      sp('convergence', 'adopt.seconds'),
      [{ label: 'limit N·lat/conc', source: sp('convergence', 'limitS') }],
      ratio('<=', 1.2, '≤ 1.2× limit'),
    ),
    {
      measure: `desired change → apply starts, ${n} idle, p99 (updateDesired)`,
      unit: 'ms',
      setpoint: sp('latency', 'update.fromCallMs.p99'),
      target: value('<=', 0.5, 'p99 ≤ 0.5 ms'),
    },
    {
      measure: '  … p50 (updateDesired)',
      unit: 'ms',
      setpoint: sp('latency', 'update.fromCallMs.p50'),
    },
    {
      measure: `  … p99 from a whole setDesired of ${n} (one changed)`,
      unit: 'ms',
      setpoint: sp('latency', 'change.fromCallMs.p99'),
      target: value('<=', 0.5, 'p99 ≤ 0.5 ms'),
    },
    {
      measure: '  … p50 (from setDesired call)',
      unit: 'ms',
      setpoint: sp('latency', 'change.fromCallMs.p50'),
    },
    {
      measure: '  … p99 from setDesired return (actor wake-up only)',
      unit: 'ms',
      setpoint: sp('latency', 'change.afterIntakeMs.p99'),
    },
    {
      measure: `  … setDesired(${n}, one changed) itself, p50`,
      unit: 'ms',
      setpoint: sp('latency', 'change.intakeMs.p50'),
      target: value('<=', 15, '≤ 15 ms'),
    },
  ];
  rows.push(
    {
      measure:
        'PostgreSQL state store: writes/s made durable, 4 fenced instances × 32 writers, group commit, fsync on',
      unit: '/s',
      setpoint: sp('pg-store', 'setpoint.writesPerSec'),
      anchor: {
        label: 'pgbench, 4 clients, one upsert a commit',
        source: sp('pg-store', 'anchor.commitsPerSec'),
      },
    },
    {
      measure: '  … one instance, unfenced',
      unit: '/s',
      setpoint: sp('pg-store', 'single.writesPerSec'),
      anchor: {
        label: 'pgbench, 4 clients, one upsert a commit',
        source: sp('pg-store', 'anchor.commitsPerSec'),
      },
    },
    {
      measure: '  … its commits/s',
      unit: '/s',
      setpoint: sp('pg-store', 'setpoint.commitsPerSec'),
      anchor: {
        label: 'pgbench, 4 clients, one upsert a commit',
        source: sp('pg-store', 'anchor.commitsPerSec'),
      },
    },
    {
      measure: 'CLI cold start: setpoint validate on the quickstart, the bundle a build ships',
      unit: 'ms',
      setpoint: sp('cli-start', 'validate.median'),
      anchor: { label: 'node -e 0', source: sp('cli-start', 'floor.median') },
      target: ratio('<=', 2, '≤ 2× node -e 0'),
    },
    {
      measure: '  … setpoint --version',
      unit: 'ms',
      setpoint: sp('cli-start', 'version.median'),
      anchor: { label: 'node -e 0', source: sp('cli-start', 'floor.median') },
    },
  );
  rows.push(...apiRows(o));
  rows.push(...scaleOutRows(o));
  rows.push(...gitopsRows(o));
  rows.push(...dashboardRows(o));
  if (o.million) {
    rows.push(
      {
        measure: '1M resources: heap used after all synced',
        unit: 'MB',
        setpoint: sp('million', 'heapUsedMB'),
        target: value('<=', 1024, '≤ 1 GB'),
      },
      {
        measure: '1M resources: ticks/s at 30 s interval',
        unit: '/s',
        setpoint: sp('million', 'ticksPerSec'),
        anchor: { label: 'needed N/interval', source: sp('million', 'expectedPerSec') },
        target: ratio('>=', 0.95, 'keeps up (≥ 0.95×)'),
      },
      { measure: '1M resources: setDesired → all synced', unit: 's', setpoint: sp('million', 'syncS') },
      {
        measure: '1M resources: peak heap used, intake and first sync',
        unit: 'MB',
        setpoint: sp('million', 'peakHeapMB'),
      },
    );
  }
  return rows;
}
