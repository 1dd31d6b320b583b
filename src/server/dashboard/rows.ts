import type { HeldDeletion, PlannedAction, ResourceStatus } from '../../runtime/index.js';
import {
  type PlanLine,
  R,
  type ResourceDetail,
  ROW_DEGRADED,
  ROW_HELD,
  ROW_HOT_LOOP,
  ROW_PROGRESSING,
  ROW_READY,
  ROW_ROLLED_BACK,
  ROW_SYNCED,
  type Row,
  type TimelineEntry,
} from './protocol.js';

const ERROR_CHARS = 200;

/** A resource as one table row; `redact` hides the secrets its error might quote. */
export function rowOf(
  s: ResourceStatus,
  held: boolean,
  last: TimelineEntry | undefined,
  redact: (text: string) => string,
): Row {
  let flags = held ? ROW_HELD : 0;
  let reason = '';
  if (s.rolledBack) flags |= ROW_ROLLED_BACK;
  for (const c of s.conditions) {
    if (c.type === 'Ready') {
      reason = c.reason;
      if (c.status) flags |= ROW_READY;
    } else if (c.status) {
      if (c.type === 'Synced') flags |= ROW_SYNCED;
      else if (c.type === 'Progressing') flags |= ROW_PROGRESSING;
      else {
        flags |= ROW_DEGRADED;
        if (c.message !== undefined) flags |= ROW_HOT_LOOP; // only a hot loop says what it is
      }
    }
  }
  const error = s.lastError === undefined ? '' : redact(s.lastError).slice(0, ERROR_CHARS);
  return [
    s.key,
    s.kind,
    s.name,
    s.phase,
    reason,
    flags,
    s.attempts,
    s.generation,
    s.observedGeneration,
    s.restarts,
    error,
    last === undefined ? '' : redact(last.text).slice(0, ERROR_CHARS),
    last?.at ?? 0,
  ];
}

/** Whether two rows show the same. */
export function sameRow(a: Row, b: Row): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A resource in a hot loop: the fields that keep changing, as its Degraded condition says. */
export function hotLoopOf(s: ResourceStatus): string | undefined {
  const degraded = s.conditions.find((c) => c.type === 'Degraded');
  return degraded?.status ? degraded.message : undefined;
}

/** Whether a pass that ended in sync can leave `row` as the page has it. */
export function quietPass(row: Row, generation: number): boolean {
  return (
    row[R.phase] === 'synced' &&
    row[R.generation] === generation &&
    row[R.observedGeneration] === generation &&
    row[R.attempts] === 0 &&
    (row[R.flags] & (ROW_READY | ROW_SYNCED | ROW_DEGRADED)) === (ROW_READY | ROW_SYNCED)
  );
}

/** Everything the resource page shows of one resource. */
export function detailOf(
  s: ResourceStatus,
  held: HeldDeletion | undefined,
  timeline: readonly TimelineEntry[],
  now: number,
  redact: (text: string) => string,
): ResourceDetail {
  return {
    key: s.key,
    kind: s.kind,
    name: s.name,
    phase: s.phase,
    conditions: s.conditions.map((c) =>
      c.message === undefined ? { ...c } : { ...c, message: redact(c.message) },
    ),
    generation: s.generation,
    observedGeneration: s.observedGeneration,
    attempts: s.attempts,
    restarts: s.restarts,
    rolledBack: s.rolledBack,
    ...(s.origin !== undefined ? { origin: s.origin } : {}),
    ...(s.lastError !== undefined ? { lastError: redact(s.lastError) } : {}),
    ...(s.lastReconcileAt !== undefined ? { lastReconcileAt: s.lastReconcileAt } : {}),
    ...(s.nextReconcileAt !== undefined ? { nextReconcileAt: s.nextReconcileAt } : {}),
    ...(s.plan !== undefined ? { plan: { action: s.plan.action, lines: planLines(s.plan, redact) } } : {}),
    ...(held !== undefined ? { heldSince: held.since } : {}),
    timeline,
    now,
  };
}

/**
 * A plan as lines of a diff: the changed fields of an update, a replace or an adoption; every
 * field of the spec a create makes (all new) or a delete removes (all old).
 */
export function planLines(plan: PlannedAction, redact: (text: string) => string): PlanLine[] {
  const json = (value: unknown) => redact(JSON.stringify(value) ?? 'undefined');
  switch (plan.action) {
    case 'create':
      return Object.entries(plan.desired).map(([path, value]) => ({ path, new: json(value) }));
    case 'delete':
      return Object.entries(plan.current).map(([path, value]) => ({ path, old: json(value) }));
    default:
      return plan.changes.map((c) => ({
        path: c.path,
        ...(c.old !== undefined ? { old: json(c.old) } : {}),
        ...(c.new !== undefined ? { new: json(c.new) } : {}),
      }));
  }
}
