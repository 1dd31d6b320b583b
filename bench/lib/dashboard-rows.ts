/**
 * The rows of the dashboard bench (`bench/dashboard.ts`): the page's time to first render and
 * its heap with N resources, beside fetch + parse of the same snapshot; the highest change rate
 * it kept up with, beside a plain Node client on the same feed and the runtime alone.
 */
import type { SuiteOptions } from './jobs.js';
import type { AnchorDef, RowDef, Source, Target } from './rows.js';

export function dashboardRows(o: SuiteOptions): RowDef[] {
  const dashboard = (path: string): Source => ({ job: 'dashboard', path });
  const value = (op: Target['op'], v: number, text: string): Target => ({ on: 'value', op, value: v, text });
  const snapshot: AnchorDef = {
    label: 'fetch + JSON.parse of the snapshot',
    source: dashboard('firstRender.anchor.medianMs'),
  };
  const parsed = (path: string): AnchorDef => ({
    label: 'the parsed snapshot alone',
    source: dashboard(`memory.anchor.${path}`),
  });
  const node = (path: string): AnchorDef => ({
    label: 'plain Node client on the feed',
    source: dashboard(`sustained.${path}`),
  });
  const n = o.quick ? '20k' : '100k';
  return [
    {
      measure: `dashboard: time to first render in Chromium, ${n} resources, median of 3 loads`,
      unit: 'ms',
      setpoint: dashboard('firstRender.setpoint.medianMs'),
      anchor: snapshot,
    },
    {
      measure: '  … page JS heap after GC',
      unit: 'MB',
      setpoint: dashboard('memory.setpoint.heapMB'),
      anchor: parsed('heapMB'),
    },
    {
      measure: '  … page heap per row, above a blank page',
      unit: 'B',
      setpoint: dashboard('memory.setpoint.bytesPerRow'),
      anchor: parsed('bytesPerRow'),
    },
    {
      measure: '  … DOM nodes (the table draws only what is in view)',
      unit: 'nodes',
      setpoint: dashboard('memory.setpoint.nodes'),
    },
    {
      measure: 'dashboard: changes/s kept up with (page lag p99 < 1 s, not growing)',
      unit: '/s',
      setpoint: dashboard('sustained.rate'),
      anchor: node('anchorRate'),
    },
    {
      measure: 'dashboard: changes/s kept up with (page lag p99 < 1 s, not growing)',
      unit: '/s',
      setpoint: dashboard('sustained.rate'),
      anchor: { label: 'runtime alone, no feed open', source: dashboard('sustained.runtimeAloneRate') },
    },
    { measure: '  … page lag p99 at that rate', unit: 'ms', setpoint: dashboard('sustained.pageLagP99Ms') },
    {
      measure: '  … rows/s applied by the page at that rate',
      unit: '/s',
      setpoint: dashboard('sustained.pageRowsPerSec'),
      anchor: node('nodeRowsPerSec'),
    },
    {
      measure: 'dashboard: changed rows/s the page alone keeps up with (a stand-in runtime, never the limit)',
      unit: '/s',
      setpoint: dashboard('pageAlone.rate'),
    },
    {
      measure: '  … staleness p99 at that rate',
      unit: 'ms',
      setpoint: dashboard('pageAlone.stalenessP99Ms'),
    },
    {
      measure: '  … kept up at 1k changes/s',
      unit: 'yes = 1',
      setpoint: dashboard('sustained.keptUpAt1k'),
      target: value('>=', 1, 'kept up: yes'),
    },
  ];
}
