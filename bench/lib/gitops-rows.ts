/**
 * The rows of the GitOps bench (`bench/gitops.ts`): git push → installed on its node (on
 * demand and by polling), a node's deployments installed again after it crashed and
 * returned, and `setpoint run` killed -9 and started again (time to Ready, processes adopted,
 * duplicates), each beside its anchor from the same run.
 */
import type { SuiteOptions } from './jobs.js';
import type { AnchorDef, RowDef, Source, Target } from './rows.js';

export function gitopsRows(o: SuiteOptions): RowDef[] {
  const gitops = (path: string): Source => ({ job: 'gitops', path });
  const value = (op: Target['op'], v: number, text: string): Target => ({ on: 'value', op, value: v, text });
  const floor = (path: string): AnchorDef => ({
    label: 'git fetch + spawn until healthy',
    source: gitops(`onDemand.anchor.${path}`),
  });
  const back = (path: string): AnchorDef => ({
    label: 'agent start + one spawn until healthy',
    source: gitops(`nodeReturn.anchor.${path}`),
  });
  const pushes = o.quick ? 4 : 10;
  return [
    {
      measure: `GitOps: git push → installed on its node, POST /sources/sync, p50 (${pushes} pushes, 3 nodes)`,
      unit: 'ms',
      setpoint: gitops('onDemand.setpoint.p50'),
      anchor: floor('p50'),
    },
    { measure: '  … p99', unit: 'ms', setpoint: gitops('onDemand.setpoint.p99'), anchor: floor('p99') },
    {
      measure: 'GitOps: git push → installed, source polled every 1 s, p50',
      unit: 'ms',
      setpoint: gitops('polling.setpoint.p50'),
      anchor: { label: '½ interval + on-demand p50', source: gitops('polling.anchor.p50') },
    },
    {
      measure: '  … max',
      unit: 'ms',
      setpoint: gitops('polling.setpoint.max'),
      anchor: { label: 'interval + on-demand p99', source: gitops('polling.anchor.max') },
    },
    {
      measure: 'GitOps: node crashed and back → its deployments installed again, p50',
      unit: 'ms',
      setpoint: gitops('nodeReturn.setpoint.p50'),
      anchor: back('p50'),
    },
    { measure: '  … max', unit: 'ms', setpoint: gitops('nodeReturn.setpoint.max'), anchor: back('max') },
    {
      measure: 'GitOps: setpoint run killed -9, started again → all Ready, p50',
      unit: 'ms',
      setpoint: gitops('adoption.setpoint.p50'),
      anchor: { label: 'the same start until it serves', source: gitops('adoption.anchor.p50') },
    },
    {
      measure: '  … service processes adopted, fewest over the kills',
      unit: 'of 6',
      setpoint: gitops('adoption.adopted'),
      target: value('>=', 6, 'all 6'),
    },
    {
      measure: '  … duplicate service processes, all kills',
      unit: 'processes',
      setpoint: gitops('adoption.duplicates'),
      target: value('<=', 0, 'none'),
    },
  ];
}
