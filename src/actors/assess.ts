import { kindOf } from '../contract/describe.js';
import { ProviderContractError } from '../contract/errors.js';
import type { Observed, Provider } from '../contract/provider.js';
import type { DriftPolicy, Resource } from '../contract/resource.js';
import type { CompiledCompare } from '../diff/compare-options.js';
import { actionFor, asAdoption, type PlannedAction } from '../diff/plan.js';

/**
 * What an observation means for a resource: the one decision every pass turns on.
 *
 * | difference     | then                                              | assessment    |
 * |----------------|---------------------------------------------------|---------------|
 * | none           | absent, or present and healthy                    | `in-sync`     |
 * | none           | the provider says `progressing`                   | `progressing` |
 * | none           | `unhealthy` (in a dry run: report only)           | `unhealthy`   |
 * | some, drift    | policy `ignore`                                   | `in-sync`     |
 * | some, drift    | policy `alert`                                    | `report-only` |
 * | some           | a dry run                                         | `report-only` |
 * | some           | a dependency is not Ready                         | `waiting`     |
 * | some           | otherwise                                         | `changes`     |
 *
 * A difference is **drift** when the generation was brought in sync before: the world moved,
 * not the desired spec. Pure: the machine and the hibernated fast path both call it, so they
 * can never disagree about what they saw.
 */
export type Assessment =
  | 'none' // nothing observed yet
  | 'in-sync'
  | 'progressing' // in sync, and the provider says it is still coming up
  | 'unhealthy' // in sync, and the provider says it is unhealthy: restart it
  | 'waiting' // changes to make, but a dependency is not Ready
  | 'changes' // a create, update or replace to apply
  | 'report-only'; // changes, but a dry run or drift policy `alert`: record the plan, apply nothing

/** The resource as {@link assess} sees it (the resource actor is one). */
export interface AssessSubject {
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  /** The desired resource: its policy, and what the provider's `health` is given. */
  readonly desired: Resource;
  /** The spec to converge to: the desired one, or the last-good one while rolled back. */
  targetSpec(): Record<string, unknown>;
  /** This generation was in sync before, so a difference now is drift. */
  readonly wasInSync: boolean;
  /** Every `dependsOn` target is Ready. Asked only when there is something to change. */
  dependenciesReady(): boolean;
  /** The spec this runtime applied last (from its inventory): a field it dropped since is removed. */
  lastApplied(): Record<string, unknown> | undefined;
  /** In this runtime's inventory? Asked only when there is an update: else it is an adoption. */
  managed(): boolean;
}

/** What the resource's kind decides for all its resources. */
export interface AssessPolicy {
  readonly provider: Pick<Provider, 'health'>;
  readonly compare: CompiledCompare;
  /** The kind's drift policy; a resource's own `policy.drift` wins. */
  readonly drift: DriftPolicy;
  readonly dryRun: boolean;
}

export interface Assessed {
  readonly assessment: Assessment;
  /** What would change; `undefined` when the observation matches the spec. */
  readonly plan: PlannedAction | undefined;
  /** The difference is drift, handled by this policy; `undefined` when it is not drift. */
  readonly drift: DriftPolicy | undefined;
}

// Most passes find nothing to change: their answers are shared, so a tick allocates none.
const IN_SYNC: Assessed = Object.freeze({ assessment: 'in-sync', plan: undefined, drift: undefined });
const PROGRESSING: Assessed = Object.freeze({ assessment: 'progressing', plan: undefined, drift: undefined });
const UNHEALTHY: Assessed = Object.freeze({ assessment: 'unhealthy', plan: undefined, drift: undefined });
const UNHEALTHY_DRY: Assessed = Object.freeze({
  assessment: 'report-only',
  plan: undefined,
  drift: undefined,
});

/** Decide what `observed` means for `subject` (see the table above). */
export function assess(
  subject: AssessSubject,
  observed: Observed | undefined,
  policy: AssessPolicy,
): Assessed {
  let plan = actionFor(
    subject.key,
    subject.kind,
    subject.name,
    subject.targetSpec(),
    observed,
    policy.compare,
    subject.lastApplied(),
  );
  // Changing an object this runtime does not manage yet adopts it (one found in sync is adopted
  // when the pass records it in sync: nothing to plan).
  if (plan?.action === 'update' && !subject.managed()) {
    plan = asAdoption(plan, subject.key, subject.kind, subject.name, observed);
  }
  if (!plan) {
    if (observed === undefined) return IN_SYNC;
    const health = policy.provider.health ? policy.provider.health(observed, subject.desired) : 'healthy';
    if (health === 'healthy') return IN_SYNC;
    if (health === 'progressing') return PROGRESSING;
    if (health === 'unhealthy') return policy.dryRun ? UNHEALTHY_DRY : UNHEALTHY;
    // A broken provider, not a sick object: a bug to crash on, like any value it must not return.
    throw new ProviderContractError(
      `${subject.key}: health returned ${kindOf(health)}, expected 'healthy', 'progressing' or 'unhealthy'`,
    );
  }
  const drift = subject.wasInSync ? (subject.desired.policy?.drift ?? policy.drift) : undefined;
  if (drift === 'ignore') return { assessment: 'in-sync', plan, drift };
  if (drift === 'alert' || policy.dryRun) return { assessment: 'report-only', plan, drift };
  if (!subject.dependenciesReady()) return { assessment: 'waiting', plan, drift };
  return { assessment: 'changes', plan, drift };
}
