/**
 * The rows of the desired-state API bench (`bench/api.ts`): writes/s over HTTP, spec write →
 * apply starts, and watch fan-out to 100 watchers, each beside its anchor from the same run.
 */
import type { SuiteOptions } from './jobs.js';
import type { RowDef, Source, Target } from './rows.js';

export function apiRows(o: SuiteOptions): RowDef[] {
  const from =
    (job: string) =>
    (path: string): Source => ({ job, path });
  const writes = from('api-writes');
  const latency = from('api-latency');
  const watch = from('api-watch');
  const value = (op: Target['op'], v: number, text: string): Target => ({ on: 'value', op, value: v, text });
  const ratio = (op: Target['op'], v: number, text: string): Target => ({ on: 'ratio', op, value: v, text });
  const idle = o.quick ? '2k' : '10k';
  const changes = o.quick ? '200' : '2k';
  return [
    {
      measure: 'API: creates/s, POST /api/v1/resources, 32 clients, runtime fed',
      unit: '/s',
      setpoint: writes('setpoint.perSec'),
      anchor: { label: "node:http + fsync'd log", source: writes('anchor.perSec') },
      target: ratio('>=', 0.5, '≥ 0.5× anchor'),
    },
    {
      measure: '  … server thread CPU per create',
      unit: 'µs',
      setpoint: writes('setpoint.serverCpuUsEach'),
      anchor: { label: "node:http + fsync'd log", source: writes('anchor.serverCpuUsEach') },
    },
    {
      measure: `API: PUT of a spec → provider update starts, ${idle} idle, p99`,
      unit: 'ms',
      setpoint: latency('applyMs.p99'),
      anchor: { label: "POST to node:http + fsync'd log", source: latency('bareLogMs.p99') },
      target: ratio('<=', 3, '≤ 3× anchor'),
    },
    {
      measure: `API: PUT of a spec → provider update starts, ${idle} idle, p99`,
      unit: 'ms',
      setpoint: latency('applyMs.p99'),
      anchor: { label: 'GET /healthz', source: latency('healthzMs.p99') },
    },
    {
      measure: '  … p50',
      unit: 'ms',
      setpoint: latency('applyMs.p50'),
      anchor: { label: "POST to node:http + fsync'd log", source: latency('bareLogMs.p50') },
      target: ratio('<=', 2, '≤ 2× anchor'),
    },
    {
      measure: '  … p50',
      unit: 'ms',
      setpoint: latency('applyMs.p50'),
      anchor: { label: 'GET /healthz', source: latency('healthzMs.p50') },
    },
    {
      measure: `API watch: events/s delivered, 100 watchers, ${changes} changes`,
      unit: '/s',
      setpoint: watch('setpoint.eventsPerSec'),
      anchor: { label: 'bare SSE broadcast', source: watch('anchor.eventsPerSec') },
      target: ratio('>=', 0.5, '≥ 0.5× anchor'),
    },
    {
      measure: '  … commit → watcher receives, p99',
      unit: 'ms',
      setpoint: watch('setpoint.delayMs.p99'),
      anchor: { label: 'bare SSE broadcast', source: watch('anchor.delayMs.p99') },
      target: ratio('<=', 2, '≤ 2× anchor'),
    },
    {
      measure: '  … watchers with every change once, in order',
      unit: 'of 100',
      setpoint: watch('setpoint.complete'),
      target: value('>=', 100, 'all 100'),
    },
  ];
}
