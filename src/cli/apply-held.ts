import type { Runtime, RuntimeEvents } from '../runtime/index.js';
import { plural } from './plural.js';
import { shortDuration } from './table.js';

type Held = Parameters<RuntimeEvents['deletion:held']>[0];

/** The exit status of an apply that converged while deletes beyond the deletion budget were held. */
export const HELD_EXIT = 3;

/**
 * What `apply` needs to know of the deletion budget: the budget each kind's held deletes were
 * counted against (from the `deletion:held` events), and the keys still held.
 */
export function watchHeld(runtime: Runtime) {
  const budgets = new Map<string, Held['budget']>();
  const off = runtime.on('deletion:held', (e) => budgets.set(e.kind, e.budget));
  return {
    off,
    keys: () => new Set(runtime.heldDeletions().map((h) => h.key)),
    /** One line per kind with held deletes, and how to let them go. */
    report(): string[] {
      const held = runtime.heldDeletions();
      const kinds = [...new Set(held.map((h) => h.kind))].sort();
      const lines = kinds.map((kind) => {
        const keys = held.filter((h) => h.kind === kind).map((h) => h.key);
        const budget = budgets.get(kind);
        const per = budget === undefined ? '' : ` (budget ${budget.max} per ${windowOf(budget.windowMs)})`;
        return `  ? ${plural(keys.length, 'delete')} of ${kind} held by the deletion budget${per}: ${keys.join(', ')}`;
      });
      return held.length === 0
        ? []
        : [
            ...lines,
            'Run setpoint apply --approve-deletions to delete them, or desire them again to keep them.',
          ];
    },
  };
}

function windowOf(ms: number): string {
  return ms === 0 ? 'change' : shortDuration(ms);
}
