/**
 * The rows of the scale-out bench (`bench/scale-out.ts`): throughput with 1, 2 and 4 instances
 * on one database, takeover after kill -9, spec write → apply, shards moved per change.
 */
import type { SuiteOptions } from './jobs.js';
import type { AnchorDef, RowDef, Source, Target } from './rows.js';

export function scaleOutRows(o: SuiteOptions): RowDef[] {
  const scale = (path: string): Source => ({ job: 'scale-out', path });
  const value = (op: Target['op'], v: number, text: string): Target => ({ on: 'value', op, value: v, text });
  const ratio = (op: Target['op'], v: number, text: string): Target => ({ on: 'ratio', op, value: v, text });
  const oneInstance: AnchorDef = { label: '1 instance', source: scale('throughput.one') };
  return [
    {
      measure: `scale-out on PostgreSQL: creates/s, 4 instances (${o.quick ? '600' : '2k'} new, 20 ms calls, 8 in flight each)`,
      unit: '/s',
      setpoint: scale('throughput.four'),
      anchor: oneInstance,
      target: ratio('>=', 3.6, '≥ 3.6× one'),
    },
    { measure: '  … 2 instances', unit: '/s', setpoint: scale('throughput.two'), anchor: oneInstance },
    {
      measure: 'scale-out: takeover after kill -9, p50',
      unit: 'ms',
      setpoint: scale('takeover.p50'),
      target: value('<=', 2000, '≤ 2,000 ms'),
    },
    {
      measure: '  … max',
      unit: 'ms',
      setpoint: scale('takeover.max'),
      target: value('<=', 2000, '≤ 2,000 ms'),
    },
    {
      measure: 'scale-out: spec written in the database → apply starts on its owner, p99',
      unit: 'ms',
      setpoint: scale('apply.p99'),
      target: value('<', 100, 'p99 < 100 ms'),
    },
    { measure: '  … p50', unit: 'ms', setpoint: scale('apply.p50') },
    {
      measure: 'scale-out: shards moved per change of membership, worst',
      unit: 'shards',
      setpoint: scale('moved.worst'),
      anchor: { label: 'ceil(shards/members)+1', source: scale('moved.bound') },
      target: ratio('<=', 1, '≤ ceil(shards/members)+1'),
    },
  ];
}
