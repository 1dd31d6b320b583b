import { RUNTIME_MINIMUMS as MIN } from '../contract/minimums.js';
import type { ResourcePolicy } from '../contract/resource.js';

/**
 * What is wrong with a resource's `policy`, field by field: `[field, what it must be, what it
 * is]`. The limits are the runtime's own, so a policy the config's schema accepts is one this
 * accepts, and one given through the library (`setDesired`) is held to the same: `intervalMs: 0`
 * would spin a resource's actor, `maxRetries: -1` means nothing.
 */
export function policyProblems(policy: unknown): [field: string, want: string, got: unknown][] {
  if (policy === undefined) return [];
  if (typeof policy !== 'object' || policy === null || Array.isArray(policy)) {
    return [['', "an object like { intervalMs: 30000, drift: 'enforce' }", policy]];
  }
  const p = policy as Record<keyof ResourcePolicy, unknown>;
  const out: [string, string, unknown][] = [];
  const atLeast = (field: keyof ResourcePolicy, min: number, integer = false) => {
    const value = p[field];
    if (value === undefined) return;
    const ok = typeof value === 'number' && (integer ? Number.isSafeInteger(value) : Number.isFinite(value));
    if (!ok || (value as number) < min) {
      out.push([field, `${integer ? 'an integer' : 'a finite number'} ≥ ${min}`, value]);
    }
  };
  atLeast('intervalMs', MIN.intervalMs);
  atLeast('maxRetries', MIN.maxRetries, true);
  atLeast('progressDeadlineMs', MIN.progressDeadlineMs);
  if (p.drift !== undefined && p.drift !== 'enforce' && p.drift !== 'alert' && p.drift !== 'ignore') {
    out.push(['drift', "'enforce', 'alert' or 'ignore'", p.drift]);
  }
  if (p.rollback !== undefined && typeof p.rollback !== 'boolean')
    out.push(['rollback', 'a boolean', p.rollback]);
  return out;
}
