import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Health } from '../contract/provider.js';
import type { DriftPolicy, Resource } from '../contract/resource.js';
import { compileCompare } from '../diff/compare-options.js';
import { type Assessment, type AssessPolicy, type AssessSubject, assess } from './assess.js';

const SPEC = { role: 'admin', team: 'ops' };

interface Row {
  readonly observed: Record<string, unknown> | undefined;
  readonly health?: Health;
  readonly wasInSync?: boolean;
  readonly drift?: DriftPolicy;
  readonly ownDrift?: DriftPolicy;
  readonly dryRun?: boolean;
  readonly ready?: boolean;
  readonly lastApplied?: Record<string, unknown>;
  readonly managed?: boolean;
}

function run(row: Row) {
  let asked = 0;
  const desired: Resource = {
    kind: 'user',
    name: 'alice',
    spec: SPEC,
    ...(row.ownDrift ? { policy: { drift: row.ownDrift } } : {}),
  };
  const subject: AssessSubject = {
    key: 'user/alice',
    kind: 'user',
    name: 'alice',
    desired,
    targetSpec: () => SPEC,
    wasInSync: row.wasInSync ?? false,
    dependenciesReady: () => {
      asked++;
      return row.ready ?? true;
    },
    lastApplied: () => row.lastApplied,
    managed: () => row.managed ?? true,
  };
  const health = row.health;
  const policy: AssessPolicy = {
    provider: health ? { health: () => health } : {},
    compare: compileCompare(undefined),
    drift: row.drift ?? 'enforce',
    dryRun: row.dryRun ?? false,
  };
  return { ...assess(subject, row.observed, policy), asked };
}

const same = { ...SPEC, id: 7 }; // what a server adds is never a difference
const moved = { role: 'dev', team: 'ops' };

describe('assess', () => {
  const table: [string, Row, Assessment, 'plan' | 'none', DriftPolicy | undefined][] = [
    ['in sync, no health check', { observed: same }, 'in-sync', 'none', undefined],
    ['in sync and healthy', { observed: same, health: 'healthy' }, 'in-sync', 'none', undefined],
    ['in sync, still coming up', { observed: same, health: 'progressing' }, 'progressing', 'none', undefined],
    [
      'in sync but unhealthy: restart',
      { observed: same, health: 'unhealthy' },
      'unhealthy',
      'none',
      undefined,
    ],
    [
      'unhealthy in a dry run: report',
      { observed: same, health: 'unhealthy', dryRun: true },
      'report-only',
      'none',
      undefined,
    ],
    ['absent: create', { observed: undefined }, 'changes', 'plan', undefined],
    ['different, a new generation: apply', { observed: moved }, 'changes', 'plan', undefined],
    [
      'different, a dependency not Ready: wait',
      { observed: moved, ready: false },
      'waiting',
      'plan',
      undefined,
    ],
    ['different in a dry run: report', { observed: moved, dryRun: true }, 'report-only', 'plan', undefined],
    ['drift, enforce: apply', { observed: moved, wasInSync: true }, 'changes', 'plan', 'enforce'],
    [
      'drift, alert: report',
      { observed: moved, wasInSync: true, drift: 'alert' },
      'report-only',
      'plan',
      'alert',
    ],
    [
      'drift, ignore: in sync',
      { observed: moved, wasInSync: true, drift: 'ignore' },
      'in-sync',
      'plan',
      'ignore',
    ],
    [
      'drift, the resource says ignore',
      { observed: moved, wasInSync: true, ownDrift: 'ignore' },
      'in-sync',
      'plan',
      'ignore',
    ],
    [
      'drift, alert beats a dry run',
      { observed: moved, wasInSync: true, drift: 'alert', dryRun: true },
      'report-only',
      'plan',
      'alert',
    ],
    [
      'drift, enforce in a dry run: report',
      { observed: moved, wasInSync: true, dryRun: true },
      'report-only',
      'plan',
      'enforce',
    ],
    [
      'drift, enforce, a dependency not Ready',
      { observed: moved, wasInSync: true, ready: false },
      'waiting',
      'plan',
      'enforce',
    ],
  ];

  it.each(table)('%s', (_name, row, assessment, plan, drift) => {
    const got = run(row);
    expect(got.assessment).toBe(assessment);
    expect(got.plan === undefined ? 'none' : 'plan').toBe(plan);
    expect(got.drift).toBe(drift);
  });

  it('plans the change it found: create when absent, update with the field that moved', () => {
    expect(run({ observed: undefined }).plan?.action).toBe('create');
    const update = run({ observed: moved }).plan;
    expect(update?.action).toBe('update');
    expect(update?.action === 'update' && update.changes).toEqual([
      { path: 'role', old: 'dev', new: 'admin' },
    ]);
  });

  it('removes a field it applied before and the spec dropped, and leaves fields it never set', () => {
    const lastApplied = { ...SPEC, level: 3 };
    const got = run({ observed: { ...SPEC, level: 3, owner: 'x' }, lastApplied });
    expect(got.assessment).toBe('changes');
    expect(got.plan?.action === 'update' && got.plan.changes).toEqual([
      { path: 'level', old: 3, new: undefined },
    ]);
    expect(run({ observed: { ...SPEC, owner: 'x' }, lastApplied }).plan).toBeUndefined();
  });

  it('adopts an object it does not manage when it has to change it; one in sync is simply in sync', () => {
    const got = run({ observed: moved, managed: false });
    expect(got.assessment).toBe('changes');
    expect(got.plan?.action).toBe('adopt');
    expect(got.plan?.action === 'adopt' && got.plan.changes).toEqual([
      { path: 'role', old: 'dev', new: 'admin' },
    ]);
    expect(run({ observed: same, managed: false }).plan).toBeUndefined();
    expect(run({ observed: undefined, managed: false }).plan?.action).toBe('create');
  });

  it('asks about dependencies only when there is something to change', () => {
    expect(run({ observed: same }).asked).toBe(0);
    expect(run({ observed: same, health: 'unhealthy' }).asked).toBe(0);
    expect(run({ observed: moved, dryRun: true }).asked).toBe(0);
    expect(run({ observed: moved }).asked).toBe(1);
  });

  it('never applies what a dry run or a drift policy other than enforce forbids', () => {
    const policies = fc.constantFrom<DriftPolicy | undefined>(undefined, 'enforce', 'alert', 'ignore');
    fc.assert(
      fc.property(
        fc.record({
          present: fc.boolean(),
          differs: fc.boolean(),
          wasInSync: fc.boolean(),
          drift: policies,
          ownDrift: policies,
          dryRun: fc.boolean(),
          ready: fc.boolean(),
          health: fc.constantFrom<Health | undefined>(undefined, 'healthy', 'progressing', 'unhealthy'),
        }),
        (r) => {
          const observed = r.present ? (r.differs ? moved : same) : undefined;
          const got = run({ ...r, observed, drift: r.drift ?? 'enforce', ownDrift: r.ownDrift });
          const policy = r.ownDrift ?? r.drift ?? 'enforce';
          const forbidden = r.dryRun || (r.wasInSync && policy !== 'enforce') || !r.ready;
          if (got.assessment === 'changes') expect(forbidden).toBe(false);
          if (got.plan === undefined) expect(got.drift).toBeUndefined();
          if (got.plan !== undefined && !forbidden) expect(got.assessment).toBe('changes');
        },
      ),
    );
  });
});
