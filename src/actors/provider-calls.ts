import { kindOf } from '../contract/describe.js';
import { ProviderContractError } from '../contract/errors.js';
import { isAborted, type Observed, type ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { actionFor, type PlannedAction } from '../diff/plan.js';
import type { OperationWork } from '../queue/operation-queue.js';
import { F_DRIFT, F_NODROPS, F_UNVERIFIED } from './flags.js';
import { changeMade } from './health.js';
import { noteApply } from './hot-loop.js';
import type { AppliedAction } from './notices.js';
import type { ResourceActor } from './resource-actor.js';

/**
 * The provider calls a pass makes, and the checks that the provider kept its contract. A
 * provider's thrown error is a failure (retried with backoff); a value it must not return is a
 * {@link ProviderContractError}, a bug, which crashes the actor so that its supervisor starts a
 * fresh one.
 *
 * Every call goes through the host's operation queue (`perform` in `resource-actor.ts`), and
 * every change through the host's journal, so that a crash between "intend" and "done" is
 * found on the next start.
 */

/** The desired spec changed while the apply waited for its turn: plan again, apply nothing. */
const SUPERSEDED = Symbol('superseded');

/** Observe the resource (a shared function: a tick allocates no closure). */
export const observeWork: OperationWork<ResourceActor> = (actor, ctx) =>
  actor.host.provider.observe(actor.desired, ctx);

/** The first pass's observation, read from the shared list when there is one. */
export const listedWork: OperationWork<ResourceActor> = (actor, ctx) => {
  const snapshot = actor.snapshot;
  actor.snapshot = undefined; // the first pass only
  return snapshot ? snapshot.observe(actor.desired, ctx) : observeWork(actor, ctx);
};

/** Observe the resource, then tell the machine what was seen (`OBSERVED`). */
export function startObserve(a: ResourceActor): void {
  a.beginPass();
  a.perform('observe', observeWork, observed);
}

/** `observe` finished: check what the provider returned, then let the machine assess it. */
function observed(this: ResourceActor, value: Observed | undefined): void {
  const bad = badObservation(this.key, value);
  if (bad) this.crash(bad);
  else this.send({ type: 'OBSERVED', observed: value });
}

/** `observed` is what `observe` may return (an object, or `undefined`), else the violation. */
export function badObservation(key: string, observed: unknown): ProviderContractError | undefined {
  const valid =
    observed === undefined || (typeof observed === 'object' && observed !== null && !Array.isArray(observed));
  if (valid) return undefined;
  return new ProviderContractError(
    `${key}: observe returned ${kindOf(observed)}, expected an object or undefined`,
  );
}

/** Apply the pass's plan: create, update or replace, then tell the machine `APPLIED`. */
export function startApply(a: ResourceActor): void {
  const plan = a.plan;
  if (!plan) throw new Error(`${a.key}: apply without a plan`); // a bug: crash
  const generation = a.generation;
  const spec = a.targetSpec();
  const desired: Resource = spec === a.desired.spec ? a.desired : { ...a.desired, spec };
  const current = a.observed;
  const started = a.host.clock.now();
  // Adopting with changes is an update of the world; the inventory tells the adoption.
  const action = plan.action === 'adopt' ? 'update' : plan.action;
  a.perform(
    action,
    (actor, ctx) => applyPlan(actor, plan, desired, current, generation, ctx),
    function (this: ResourceActor, result: unknown) {
      if (result === SUPERSEDED) return this.send({ type: 'SUPERSEDED' });
      // Repaired: a difference seen from now on is a new drift episode.
      // (and what was applied is new: look at it again for a three-way diff)
      this.flags = (this.flags | F_UNVERIFIED) & ~(F_DRIFT | F_NODROPS);
      if (this.rolledBack) this.attempts = 0; // the last-good spec gets attempts of its own
      if (this.host.provider.health) changeMade(this);
      reportApplied(this, action, started, spec);
      noteApply(this, plan);
      this.send({ type: 'APPLIED' });
    },
  );
}

/** Restart an unhealthy object (the machine asks only when the provider can), then `APPLIED`. */
export function startRestart(a: ResourceActor): void {
  const current = a.observed;
  const started = a.host.clock.now();
  a.perform(
    'restart',
    (actor, ctx) => restartObject(actor, current, ctx),
    function (this: ResourceActor) {
      changeMade(this);
      reportApplied(this, 'restart', started, this.desired.spec as Record<string, unknown>);
      this.send({ type: 'APPLIED' });
    },
  );
}

/** Delete the object (if it is ours), then tell the machine `DELETED`. */
export function startDelete(a: ResourceActor): void {
  const started = a.host.clock.now();
  a.perform(
    'delete',
    deleteObject,
    function (this: ResourceActor, outcome: Awaited<ReturnType<typeof deleteObject>>) {
      if (outcome === 'deleted') {
        reportApplied(this, 'delete', started, this.desired.spec as Record<string, unknown>);
      } else if (outcome) {
        this.plan = outcome;
        this.emit({ type: 'planned', action: outcome }); // dry-run: report, touch nothing
      }
      this.send({ type: 'DELETED' });
    },
  );
}

/**
 * Apply `plan` to reach `desired`, as planned at `generation`: create, update in place, or
 * replace (delete, then create). Nothing happens if the generation moved on meanwhile.
 */
async function applyPlan(
  actor: ResourceActor,
  plan: PlannedAction,
  desired: Resource,
  current: Observed | undefined,
  generation: number,
  ctx: ProviderContext,
): Promise<unknown> {
  if (actor.generation !== generation) return SUPERSEDED;
  const host = actor.host;
  const provider = host.provider;
  const spec = desired.spec as Record<string, unknown>;
  switch (plan.action) {
    case 'create':
      return host.journal(actor, 'create', spec, () => live(ctx, () => provider.create(desired, ctx)));
    case 'update':
    case 'adopt':
      return host.journal(actor, 'update', spec, () =>
        live(ctx, () => provider.update(desired, current ?? {}, plan.changes, ctx)),
      );
    case 'replace':
      if (current) {
        const removed = () =>
          live(ctx, () => expectVoid(actor.key, 'delete', provider.delete(current, desired, ctx)));
        await host.journal(actor, 'delete', undefined, removed, true);
      }
      return host.journal(actor, 'create', spec, () => live(ctx, () => provider.create(desired, ctx)));
    default:
      throw new Error(`${actor.key}: unexpected action ${plan.action}`);
  }
}

/** The provider's `restart` of an unhealthy object (nothing, if it has none). */
async function restartObject(
  actor: ResourceActor,
  current: Observed | undefined,
  ctx: ProviderContext,
): Promise<void> {
  const { provider } = actor.host;
  if (provider.restart && current) {
    await expectVoid(actor.key, 'restart', provider.restart(current, actor.desired, ctx));
  }
}

/**
 * Delete the resource if it exists and this runtime may prune it: it created it, or adopted it
 * under the policy `pruneAdopted`. An adopted one is otherwise released: dropped from the
 * inventory, left in the world. Anything else is released, untouched. In a dry run, return the
 * delete that would be made.
 */
async function deleteObject(
  actor: ResourceActor,
  ctx: ProviderContext,
): Promise<PlannedAction | 'deleted' | undefined> {
  const host = actor.host;
  const current = await host.provider.observe(actor.desired, ctx);
  const bad = badObservation(actor.key, current);
  if (bad) throw bad;
  if (current === undefined || !host.manages(actor.key)) return undefined;
  if (!host.prunable(actor.key)) {
    if (!host.dryRun) await host.forget(actor.key);
    return undefined;
  }
  if (host.dryRun) return actionFor(actor.key, actor.kind, actor.name, undefined, current, host.compare);
  const removed = () =>
    live(ctx, () => expectVoid(actor.key, 'delete', host.provider.delete(current, actor.desired, ctx)));
  await host.journal(actor, 'delete', undefined, removed);
  return 'deleted';
}

/**
 * Make the next provider call of an operation, unless the operation is over: an operation of
 * several calls (observe then delete, delete then create) that timed out or was shut down
 * while a call ran on, deaf to its signal, must not start another one. The operation has failed
 * already and the actor backs off from that failure.
 */
function live<T>(ctx: ProviderContext, call: () => Promise<T>): Promise<T> {
  if (isAborted(ctx)) return Promise.reject(ctx.signal.reason ?? new Error('operation aborted'));
  return call();
}

/** Tell the host a change was applied, and how long it took since `started`. */
function reportApplied(
  actor: ResourceActor,
  action: AppliedAction,
  started: number,
  spec: Record<string, unknown>,
): void {
  actor.emit({ type: 'applied', action, durationMs: actor.host.clock.now() - started, spec });
}

/** `delete` and `restart` promise nothing back; a value means the provider is broken. */
async function expectVoid(key: string, operation: string, pending: Promise<unknown>): Promise<void> {
  const value = await pending;
  if (value !== undefined) {
    throw new ProviderContractError(
      `${key}: ${operation} resolved with ${kindOf(value)}, expected undefined`,
    );
  }
}
