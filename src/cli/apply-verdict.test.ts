import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../contract/resource.js';
import { orderByDependencies } from '../diff/graph.js';
import type { ResourcePhase, ResourceStatus } from '../runtime/index.js';
import { judgeApply } from './apply-verdict.js';

function status(key: string, phase: ResourcePhase, extra: Partial<ResourceStatus> = {}): ResourceStatus {
  const [kind = '', name = ''] = key.split('/');
  return {
    key,
    kind,
    name,
    phase,
    conditions: [],
    generation: 1,
    observedGeneration: 1,
    attempts: 0,
    lastError: undefined,
    lastReconcileAt: undefined,
    nextReconcileAt: 1,
    plan: undefined,
    rolledBack: false,
    restarts: 0,
    ...extra,
  };
}

function judge(desired: Resource[], statuses: ResourceStatus[], pruning: string[] = []) {
  const order = orderByDependencies(desired);
  if (!order.ok) throw new Error('bad test set');
  const byKey = new Map(statuses.map((s) => [s.key, s]));
  return judgeApply({
    desired,
    waves: order.value.waves,
    pruning,
    status: (k) => byKey.get(k),
    maxRetries: 3,
  });
}

const dir: Resource = { kind: 'f', name: 'dir', spec: {} };
const file: Resource = { kind: 'f', name: 'file', spec: {}, dependsOn: ['f/dir'] };
const deep: Resource = { kind: 'f', name: 'deep', spec: {}, dependsOn: ['f/file'] };

describe('judging an apply', () => {
  it('is done and clean when everything is in sync', () => {
    const v = judge([dir, file], [status('f/dir', 'synced'), status('f/file', 'synced')]);
    expect(v).toMatchObject({ done: true, synced: ['f/dir', 'f/file'], failed: [], blocked: [], wave: 2 });
  });

  it('keeps waiting while a dependency is still working, and names the current wave', () => {
    const v = judge([dir, file], [status('f/dir', 'backoff'), status('f/file', 'waiting')]);
    expect(v).toMatchObject({ done: false, pending: ['f/dir', 'f/file'], wave: 0 });
  });

  it('blocks the whole chain behind a Degraded resource, naming the root cause', () => {
    const v = judge(
      [dir, file, deep],
      [
        status('f/dir', 'degraded', { lastError: 'Error: disk full' }),
        status('f/file', 'waiting'),
        status('f/deep', 'waiting'),
      ],
    );
    expect(v.done).toBe(true);
    expect(v.failed).toEqual([{ key: 'f/dir', reason: 'Error: disk full' }]);
    expect(v.blocked).toEqual([
      { key: 'f/file', reason: 'waits for f/dir, which failed' },
      { key: 'f/deep', reason: 'waits for f/dir, which failed' },
    ]);
  });

  it('counts a resource without an actor yet as pending', () => {
    expect(judge([dir], []).pending).toEqual(['f/dir']);
  });

  it('waits for pruned resources until they are gone or their delete gives up', () => {
    const desired = [dir];
    const ok = [status('f/dir', 'synced')];
    expect(judge(desired, ok, ['f/old']).done).toBe(true); // no status: deleted
    expect(judge(desired, [...ok, status('f/old', 'deleting')], ['f/old']).pending).toEqual(['f/old']);
    const permanent = status('f/old', 'deleteBackoff', {
      lastError: 'not empty',
      nextReconcileAt: undefined,
    });
    expect(judge(desired, [...ok, permanent], ['f/old']).failed).toEqual([
      { key: 'f/old', reason: 'delete: not empty' },
    ]);
    const retrying = status('f/old', 'deleteBackoff', { lastError: 'busy', attempts: 1 });
    expect(judge(desired, [...ok, retrying], ['f/old']).pending).toEqual(['f/old']);
    const exhausted = status('f/old', 'deleteBackoff', { lastError: 'busy', attempts: 3 });
    expect(judge(desired, [...ok, exhausted], ['f/old']).failed).toHaveLength(1);
  });

  it('puts every key in exactly one list, and blocks exactly the waiting keys behind a failure', () => {
    const phases: ResourcePhase[] = [
      'pending',
      'waiting',
      'synced',
      'outOfSync',
      'backoff',
      'degraded',
      'observing',
    ];
    const world = fc
      .array(fc.record({ deps: fc.array(fc.nat(), { maxLength: 3 }), phase: fc.constantFrom(...phases) }), {
        minLength: 1,
        maxLength: 12,
      })
      .map((rows) =>
        rows.map((row, i) => ({
          resource: {
            kind: 'k',
            name: `r${i}`,
            spec: {},
            dependsOn: i === 0 ? [] : [...new Set(row.deps.map((d) => `k/r${d % i}`))],
          } as Resource,
          phase: row.phase,
        })),
      );
    fc.assert(
      fc.property(world, (rows) => {
        const desired = rows.map((r) => r.resource);
        const v = judge(
          desired,
          rows.map((r) => status(`k/${r.resource.name}`, r.phase)),
        );
        const all = [
          ...v.synced,
          ...v.failed.map((f) => f.key),
          ...v.blocked.map((f) => f.key),
          ...v.pending,
        ];
        expect(all.sort()).toEqual(desired.map((r) => `k/${r.name}`).sort());
        expect(v.done).toBe(v.pending.length === 0);
        const stuck = new Set([...v.failed, ...v.blocked].map((f) => f.key));
        for (const row of rows) {
          const key = `k/${row.resource.name}`;
          const behindFailure =
            row.phase === 'waiting' && (row.resource.dependsOn ?? []).some((d) => stuck.has(d));
          expect(v.blocked.some((b) => b.key === key)).toBe(behindFailure);
        }
        const failedKeys = rows
          .filter((r) => r.phase === 'degraded' || r.phase === 'outOfSync')
          .map((r) => `k/${r.resource.name}`);
        expect(v.failed.map((f) => f.key).sort()).toEqual(failedKeys.sort());
        const order = orderByDependencies(desired);
        const waves = order.ok ? order.value.waves : [];
        const phaseOf = new Map(rows.map((r) => [`k/${r.resource.name}`, r.phase]));
        const firstOpen = waves.findIndex((keys) => keys.some((k) => phaseOf.get(k) !== 'synced'));
        expect(v.wave).toBe(firstOpen === -1 ? waves.length : firstOpen);
      }),
      { numRuns: 1000 },
    );
  });
});
