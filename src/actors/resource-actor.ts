import type { Logger } from 'pino';
import { type Actor, createActor } from 'xstate';
import type { Backoff } from '../backoff/backoff.js';
import { describeError, PermanentError, ProviderContractError, retryAfterOf } from '../contract/errors.js';
import type { Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { DriftPolicy, Resource } from '../contract/resource.js';
import type { CompiledCompare } from '../diff/compare-options.js';
import { actionFor, type PlannedAction } from '../diff/plan.js';
import type { ListSnapshot } from '../runtime/list-snapshot.js';
import type { OperationClient, OperationWork } from '../runtime/operation-queue.js';
import type { Child, ChildLink } from '../supervisor/child-spec.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { Tickable, TickTimers } from '../time/tick-timers.js';
import type { ResourceEvent } from './resource.events.js';
import {
  type Assessment,
  RESTING_PHASES,
  type ResourcePhase,
  type ResourceShell,
  resourceMachine,
} from './resource.machine.js';
import { conditionsOf, type ResourceStatus } from './status.js';

/** What every actor of one kind shares: the provider, the policies, and the runtime's services. */
export interface ActorHost {
  readonly kind: string;
  readonly provider: Provider;
  readonly compare: CompiledCompare;
  readonly clock: Clock;
  readonly random: Random;
  readonly backoff: Backoff;
  readonly intervalMs: number;
  readonly maxRetries: number;
  readonly drift: DriftPolicy;
  readonly rollback: boolean;
  readonly dryRun: boolean;
  readonly logger: Logger;
  /**
   * A shared `list` for the first pass of the actors being created now (many resources added
   * at once to a provider that can list), or `undefined`: each observes on its own.
   */
  readonly snapshot: ListSnapshot | undefined;
  /** Where actors arm their next tick: one timer per due time, shared. */
  readonly ticks: TickTimers;
  /**
   * Run one provider operation for `key`: serialised per key, admitted by the provider's queue,
   * under its deadline. `client.settled` hears the outcome, once, asynchronously.
   */
  operate<C extends OperationClient>(
    key: string,
    name: string,
    client: C,
    work: OperationWork<C>,
    urgent?: boolean,
  ): void;
  dependenciesReady(actor: ResourceActor): boolean;
  dependentsRemain(actor: ResourceActor): boolean;
  lastGood(key: string): Record<string, unknown> | undefined;
  /** Is this object in the inventory (created or adopted by this runtime)? */
  manages(key: string): boolean;
  /**
   * Write the intent to the journal, apply, then record the outcome in the inventory. A delete
   * forgets the key unless `keep` (the delete half of a replace: the create follows).
   */
  journal<T>(
    actor: ResourceActor,
    op: 'create' | 'update' | 'delete',
    spec: Record<string, unknown> | undefined,
    apply: () => Promise<T>,
    keep?: boolean,
  ): Promise<T>;
  /** A pass ended (the same as notifying `pass-done`, without building the notice). */
  passDone(actor: ResourceActor, result: PassResult, durationMs: number): void;
  /** Side effects the runtime owns: store, events, metrics, dependency wake-ups. */
  notify(actor: ResourceActor, what: ActorNotice): void;
}

export type PassResult = 'in-sync' | 'applied' | 'failed' | 'planned' | 'waiting' | 'progressing';

export type ActorNotice =
  | { type: 'pass-start' }
  | { type: 'pass-done'; result: PassResult; durationMs: number }
  | {
      type: 'applied';
      action: PlannedAction['action'] | 'restart';
      durationMs: number;
      spec: Record<string, unknown>;
    }
  | {
      type: 'failed';
      operation: string;
      error: unknown;
      delayMs: number | undefined;
      permanent: boolean;
      retryAfterMs: number | undefined;
    }
  | { type: 'synced'; recovered: boolean; verified: boolean }
  | { type: 'verified' }
  | { type: 'drift'; policy: DriftPolicy; changes: number }
  | { type: 'degraded'; reason: string; rollback: boolean }
  | { type: 'planned'; action: PlannedAction }
  | { type: 'deleted' }
  | { type: 'crashed'; error: unknown };

const SUPERSEDED = Symbol('superseded');
const PASS_START: ActorNotice = Object.freeze({ type: 'pass-start' });
const F_DIRTY = 1;
const F_DELETE = 2;
const F_PERMANENT = 4;
const F_ROLLBACK = 8;
const F_DEGRADED = 16;
const F_STOPPED = 32;
const F_FAST = 64; // a hibernated in-sync check is in flight
const F_DRIFT = 128; // drift was reported and not yet resolved
const F_INPASS = 256; // a pass started (reconcile:start) and has not ended yet
const F_UNVERIFIED = 512; // synced by an apply: the spec is last-good once an observation confirms it
const F_RESTARTED = 1024; // this pass restarted an unhealthy object

/**
 * One managed resource: a long-lived actor whose behaviour is `resourceMachine`.
 *
 * Between passes the actor hibernates (GenServer's `:hibernate`): no xstate actor exists, only
 * this compact record, its phase and its next deadline. A tick on an in-sync resource runs a
 * fast check (observe + compare) without waking the machine; anything else — a difference, a
 * failure to retry, a new generation, a delete — wakes the machine from the resting phase it
 * left, and it runs the pass. Decisions are the machine's; this class only performs them.
 */
export class ResourceActor implements ResourceShell, Child, OperationClient, Tickable {
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  desired: Resource;
  generation: number;
  observedGeneration = 0;
  /** The generation last brought in sync; a difference at this generation is drift. */
  private syncedGeneration = 0;
  phase: ResourcePhase = 'pending';
  attempts = 0;
  lastError: string | undefined = undefined;
  lastReconcileAt: number | undefined = undefined;
  nextReconcileAt: number | undefined = undefined;
  plan: PlannedAction | undefined = undefined;
  assessment: Assessment = 'none';
  restarts: number;
  private flags = 0;
  private nextDelayMs = 0;
  private passStartedAt = 0;
  /** The generation the last finished pass worked on. */
  private passGeneration = 0;
  private operation = 'observe';
  private observed: Observed | undefined = undefined;
  /** When the armed tick is due (`NaN`: none armed); see `TickTimers`. */
  tickDue = Number.NaN;
  private machine: Actor<typeof resourceMachine> | undefined = undefined;
  /** What to do with the outcome of the operation in flight (one at a time per actor). */
  private onDone: ((this: ResourceActor, value: never) => unknown) | undefined = undefined;
  private onError: ((this: ResourceActor) => void) | undefined = undefined;
  private stopWaiter: (() => void) | undefined = undefined;
  /** The shared list the first pass reads instead of observing (see `ListSnapshot`). */
  private snapshot: ListSnapshot | undefined;
  /** Notices raised while the machine runs a step; delivered once the phase is settled. */
  private deferred: ActorNotice[] | undefined = undefined;
  private failedNotice: Extract<ActorNotice, { type: 'failed' }> | undefined = undefined;
  private progressPolls = 0;

  constructor(
    private readonly host: ActorHost,
    desired: Resource,
    generation: number,
    private readonly link: ChildLink,
    restarts = 0,
  ) {
    this.desired = desired;
    this.kind = desired.kind;
    this.name = desired.name;
    this.key = link.id;
    this.generation = generation;
    this.restarts = restarts;
    this.snapshot = host.snapshot;
  }

  // ── shell state the machine reads ────────────────────────────────────────────────────────
  get dirty() {
    return (this.flags & F_DIRTY) !== 0;
  }
  get deleteRequested() {
    return (this.flags & F_DELETE) !== 0;
  }
  get permanentFailure() {
    return (this.flags & F_PERMANENT) !== 0;
  }
  get retriesExhausted() {
    return this.attempts >= (this.desired.policy?.maxRetries ?? this.host.maxRetries);
  }
  get dependentsRemain() {
    return this.host.dependentsRemain(this);
  }
  get rolledBack() {
    return (this.flags & F_ROLLBACK) !== 0;
  }
  get stopped() {
    return (this.flags & F_STOPPED) !== 0;
  }
  /** Ready: synced and healthy. Dependents wait for this. */
  get ready() {
    return this.phase === 'synced';
  }

  // ── what the runtime calls ───────────────────────────────────────────────────────────────
  /** Begin reconciling (the first pass runs at once). */
  start(): this {
    this.trigger();
    return this;
  }

  /** Reconcile now: a tick, a new generation, `reconcile(key)`, a dependency became Ready. */
  trigger(): void {
    if (this.stopped || this.phase === 'deleted') return;
    if (this.machine || this.flags & F_FAST) {
      this.flags |= F_DIRTY; // coalesce: one follow-up pass, never a queue of them
      return;
    }
    this.disarm();
    if ((this.phase === 'synced' || this.phase === 'pending') && !(this.flags & F_DELETE)) {
      this.fastCheck(); // most passes find nothing to do: the machine stays asleep
      return;
    }
    this.send({ type: 'TICK' });
  }

  /** A new generation of the desired spec. */
  setDesired(desired: Resource, generation: number): void {
    this.desired = desired;
    this.generation = generation;
    this.flags &= ~(F_ROLLBACK | F_PERMANENT);
    this.attempts = 0;
    this.trigger();
  }

  /** The resource left the desired set: delete it (after its dependents), then exit. */
  requestDelete(): void {
    if (this.stopped || this.phase === 'deleted') return;
    this.flags |= F_DELETE;
    if (this.machine || this.flags & F_FAST) return; // picked up when the pass ends
    this.disarm();
    this.send({ type: 'DELETE' });
  }

  /** Resting after a pass that worked on `generation` (whatever its outcome). */
  settledAt(generation: number): boolean {
    return (
      this.passGeneration === generation &&
      !(this.flags & (F_INPASS | F_FAST | F_DIRTY)) &&
      this.machine === undefined &&
      this.onDone === undefined
    );
  }

  status(): ResourceStatus {
    const degraded = (this.flags & F_DEGRADED) !== 0;
    return {
      key: this.key,
      kind: this.kind,
      name: this.name,
      phase: this.phase,
      conditions: conditionsOf({
        phase: this.phase,
        attempts: this.attempts,
        degraded,
        rolledBack: this.rolledBack,
        lastError: this.lastError,
      }),
      generation: this.generation,
      observedGeneration: this.observedGeneration,
      attempts: this.attempts,
      lastError: this.lastError,
      lastReconcileAt: this.lastReconcileAt,
      nextReconcileAt: this.nextReconcileAt,
      plan: this.plan,
      rolledBack: this.rolledBack,
      restarts: this.restarts,
    };
  }

  /** Child: stop gracefully; resolves once the operation in flight (if any) has settled. */
  stop(): Promise<void> | void {
    this.halt();
    if (this.onDone !== undefined) {
      return new Promise<void>((resolve) => {
        this.stopWaiter = resolve;
      });
    }
  }

  /** Child: stop at once. The runtime aborts in-flight operations through its shutdown signal. */
  kill(): void {
    this.halt();
  }

  // ── effects the machine asks for ─────────────────────────────────────────────────────────
  startObserve(): void {
    this.beginPass();
    this.perform('observe', observeWork, this.onObserved);
  }

  private onObserved(observed: Observed | undefined): void {
    if (this.checkObserved(observed)) this.send({ type: 'OBSERVED', observed });
  }

  recordObservation(event: { observed: Observed | undefined }): void {
    this.observed = event.observed;
    this.assessment = this.assess(event.observed);
  }

  startApply(): void {
    const plan = this.plan;
    if (!plan) throw new Error(`${this.key}: apply without a plan`); // a bug: crash
    const generation = this.generation;
    const desired = this.effectiveDesired();
    const started = this.host.clock.now();
    const provider = this.host.provider;
    const current = this.observed;
    const spec = desired.spec as Record<string, unknown>;
    const host = this.host;
    this.perform(
      plan.action,
      async (_self, ctx) => {
        if (this.generation !== generation) return SUPERSEDED;
        if (plan.action === 'create')
          return host.journal(this, 'create', spec, () => provider.create(desired, ctx));
        if (plan.action === 'update') {
          return host.journal(this, 'update', spec, () =>
            provider.update(desired, current ?? {}, plan.changes, ctx),
          );
        }
        if (plan.action === 'replace') {
          if (current) {
            await host.journal(
              this,
              'delete',
              undefined,
              () => expectVoid(this.key, 'delete', provider.delete(current, desired, ctx)),
              true,
            );
          }
          return host.journal(this, 'create', spec, () => provider.create(desired, ctx));
        }
        throw new Error(`${this.key}: unexpected action ${plan.action}`);
      },
      (result: unknown) => {
        if (result === SUPERSEDED) return this.send({ type: 'SUPERSEDED' });
        this.flags |= F_UNVERIFIED;
        this.emit({
          type: 'applied',
          action: plan.action,
          durationMs: this.host.clock.now() - started,
          spec: desired.spec as Record<string, unknown>,
        });
        this.send({ type: 'APPLIED' });
      },
    );
  }

  startRestart(): void {
    const restart = this.host.provider.restart;
    const current = this.observed;
    const started = this.host.clock.now();
    this.perform(
      'restart',
      async (_self, ctx) => {
        if (restart && current) {
          await expectVoid(this.key, 'restart', restart.call(this.host.provider, current, this.desired, ctx));
        }
      },
      () => {
        this.flags |= F_RESTARTED;
        this.emit({
          type: 'applied',
          action: 'restart',
          durationMs: this.host.clock.now() - started,
          spec: this.desired.spec as Record<string, unknown>,
        });
        this.send({ type: 'APPLIED' });
      },
    );
  }

  startDelete(): void {
    const host = this.host;
    const provider = host.provider;
    const started = host.clock.now();
    this.perform(
      'delete',
      async (_self, ctx): Promise<PlannedAction | 'deleted' | undefined> => {
        const current = await provider.observe(this.desired, ctx);
        if (!this.validObservation(current)) {
          throw new ProviderContractError(
            `${this.key}: observe returned ${describeValue(current)}, expected an object or undefined`,
          );
        }
        // Only what this runtime created or adopted is ever deleted; anything else is released.
        if (current === undefined || !host.manages(this.key)) return undefined;
        if (host.dryRun) {
          return actionFor(this.key, this.kind, this.name, undefined, current, host.compare);
        }
        await host.journal(this, 'delete', undefined, () =>
          expectVoid(this.key, 'delete', provider.delete(current, this.desired, ctx)),
        );
        return 'deleted';
      },
      (outcome: PlannedAction | 'deleted' | undefined) => {
        if (outcome === 'deleted') {
          this.emit({
            type: 'applied',
            action: 'delete',
            durationMs: host.clock.now() - started,
            spec: this.desired.spec as Record<string, unknown>,
          });
        } else if (outcome) {
          this.plan = outcome;
          this.emit({ type: 'planned', action: outcome }); // dry-run: report, touch nothing
        }
        this.send({ type: 'DELETED' });
      },
    );
  }

  clearDirty(): void {
    this.flags &= ~F_DIRTY;
  }

  onSynced(): void {
    const recovered = (this.flags & F_DEGRADED) !== 0 && !this.rolledBack;
    if (!this.rolledBack) {
      this.flags &= ~F_DEGRADED;
      this.syncedGeneration = this.generation;
    }
    this.attempts = 0;
    this.lastError = undefined;
    this.observedGeneration = this.generation;
    this.lastReconcileAt = this.host.clock.now();
    const applied = this.assessment === 'changes';
    this.plan = undefined;
    this.progressPolls = 0;
    // Just applied: the spec is last-good only once an observation shows it in sync and healthy.
    // (A provider without `health` calls everything healthy: applied is good.)
    const verified = this.assessment === 'in-sync' || !this.host.provider.health;
    if (verified) this.flags &= ~F_UNVERIFIED;
    this.emit({ type: 'synced', recovered, verified });
    this.endPass(applied ? 'applied' : 'in-sync');
  }

  onRestarted(): void {
    // After a restart, look again soon, under the same backoff as failures.
    this.attempts++;
    this.nextDelayMs = this.host.backoff.delay(this.attempts - 1);
  }

  /** In sync but still coming up (or just restarted): look again soon, backing off. */
  onProgressing(): void {
    this.observedGeneration = this.generation;
    this.lastReconcileAt = this.host.clock.now();
    const restarted = (this.flags & F_RESTARTED) !== 0;
    this.flags &= ~F_RESTARTED;
    if (!restarted) this.nextDelayMs = this.host.backoff.delay(this.progressPolls++);
    this.endPass(restarted ? 'applied' : 'progressing');
  }

  onFailed(event: { error: unknown }): void {
    const error = event.error;
    const permanent = PermanentError.is(error);
    if (permanent) this.flags |= F_PERMANENT;
    this.attempts++;
    this.lastError = describeError(error);
    this.lastReconcileAt = this.host.clock.now();
    const floor = retryAfterOf(error);
    // Degraded or not, the delay keeps following the backoff, which the cap bounds.
    this.nextDelayMs = permanent
      ? Number.POSITIVE_INFINITY
      : this.host.backoff.delay(this.attempts - 1, floor === undefined ? undefined : { floorMs: floor });
    const notice: Extract<ActorNotice, { type: 'failed' }> = {
      type: 'failed',
      operation: this.operation,
      error,
      delayMs: Number.isFinite(this.nextDelayMs) ? this.nextDelayMs : undefined,
      permanent,
      retryAfterMs: floor,
    };
    this.failedNotice = notice;
    this.emit(notice);
    if (this.flags & F_DELETE) {
      // A delete that cannot succeed is Degraded too; it waits in deleteBackoff (for ever, if
      // permanent, until `reconcile(key)`).
      if ((permanent || this.retriesExhausted) && !(this.flags & F_DEGRADED)) {
        this.flags |= F_DEGRADED;
        this.emit({ type: 'degraded', reason: this.lastError, rollback: false });
      }
      return;
    }
    this.endPass('failed');
  }

  onDegraded(): void {
    const first = (this.flags & F_DEGRADED) === 0;
    this.flags |= F_DEGRADED;
    const lastGood =
      this.host.rollback || this.desired.policy?.rollback ? this.host.lastGood(this.key) : undefined;
    const rollback = !this.rolledBack && lastGood !== undefined && !sameJson(lastGood, this.desired.spec);
    if (rollback) {
      this.flags |= F_ROLLBACK;
      this.nextDelayMs = 0; // apply the last-good spec now
      const failed = this.failedNotice;
      if (failed && this.deferred?.includes(failed))
        this.deferred[this.deferred.indexOf(failed)] = { ...failed, delayMs: 0 };
    }
    if (first || rollback) {
      this.emit({ type: 'degraded', reason: this.lastError ?? 'unknown', rollback });
    }
  }

  onOutOfSync(): void {
    this.observedGeneration = this.generation;
    this.lastReconcileAt = this.host.clock.now();
    if (this.plan) this.emit({ type: 'planned', action: this.plan });
    this.endPass('planned');
  }

  onWaiting(): void {
    this.lastReconcileAt = this.host.clock.now();
    this.endPass('waiting');
  }

  onDeleted(): void {
    this.flags &= ~F_INPASS;
    this.emit({ type: 'deleted' });
  }

  /** The spec this resource is synced to: the desired one, or the last-good one while rolled back. */
  appliedSpec(): Record<string, unknown> {
    return this.effectiveDesired().spec as Record<string, unknown>;
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────
  /** The spec to converge to: the desired one, or the last-good one while rolled back. */
  private effectiveDesired(): Resource {
    if (!this.rolledBack) return this.desired;
    const lastGood = this.host.lastGood(this.key);
    return lastGood ? { ...this.desired, spec: lastGood } : this.desired;
  }

  /** What an observation means. Shared by the machine and the hibernated fast path. */
  private assess(observed: Observed | undefined): Assessment {
    const host = this.host;
    const spec = this.effectiveDesired().spec as Record<string, unknown>;
    const plan = actionFor(this.key, this.kind, this.name, spec, observed, host.compare);
    this.plan = plan;
    if (!plan) {
      this.flags &= ~F_DRIFT;
      if (observed === undefined) return 'in-sync';
      const health = host.provider.health ? host.provider.health(observed, this.desired) : 'healthy';
      if (health === 'healthy') return 'in-sync';
      if (health === 'progressing') return 'progressing';
      return host.dryRun ? 'report-only' : 'unhealthy';
    }
    const drifted = this.syncedGeneration === this.generation && this.syncedGeneration > 0;
    if (drifted) {
      const policy = this.desired.policy?.drift ?? host.drift;
      if (!(this.flags & F_DRIFT)) {
        this.flags |= F_DRIFT; // reported once per episode, not on every tick
        this.emit({
          type: 'drift',
          policy,
          changes: plan.action === 'update' ? plan.changes.length : 1,
        });
      }
      if (policy === 'ignore') return 'in-sync';
      if (policy === 'alert') return 'report-only';
    }
    if (host.dryRun) return 'report-only';
    if (!host.dependenciesReady(this)) return 'waiting';
    return 'changes';
  }

  /** The hibernated in-sync check: observe + compare without waking the machine. */
  private fastCheck(): void {
    this.flags |= F_FAST;
    this.beginPass();
    this.perform('observe', this.snapshot ? listedWork : observeWork, this.fastObserved, this.fastFailed);
  }

  private fastObserved(observed: Observed | undefined): void {
    this.flags &= ~F_FAST;
    if (!this.checkObserved(observed)) return;
    this.recordObservation({ observed });
    if (this.assessment === 'in-sync' && !(this.flags & (F_DIRTY | F_DELETE))) {
      this.observed = undefined;
      if (this.phase === 'pending') {
        // A first pass that finds the object as desired: synced, as the machine would say.
        this.phase = 'synced';
        this.onSynced();
        this.arm();
        return;
      }
      this.lastReconcileAt = this.host.clock.now();
      if (this.flags & F_UNVERIFIED) {
        this.flags &= ~F_UNVERIFIED;
        this.host.notify(this, { type: 'verified' });
      }
      this.endPass('in-sync');
      this.arm();
      return;
    }
    this.send({ type: 'ASSESSED' }); // wake the machine with what was seen
  }

  private fastFailed(): void {
    this.flags &= ~F_FAST;
  }

  /** The provider's observe, for this resource (a shared function: a tick allocates no closure). */
  observeNow(ctx: ProviderContext): Promise<Observed | undefined> {
    return this.host.provider.observe(this.desired, ctx);
  }

  /** The first pass's observation, read from the shared list when there is one. */
  observeListed(ctx: ProviderContext): Promise<Observed | undefined> {
    const snapshot = this.snapshot;
    this.snapshot = undefined; // the first pass only
    return snapshot ? snapshot.observe(this.desired, ctx) : this.observeNow(ctx);
  }

  /** A provider must return an object or `undefined` from observe; anything else is a bug. */
  private checkObserved(observed: unknown): boolean {
    if (this.validObservation(observed)) return true;
    this.crash(
      new ProviderContractError(
        `${this.key}: observe returned ${describeValue(observed)}, expected an object or undefined`,
      ),
    );
    return false;
  }

  private validObservation(observed: unknown): observed is Observed | undefined {
    return (
      observed === undefined ||
      (typeof observed === 'object' && observed !== null && !Array.isArray(observed))
    );
  }

  private beginPass(): void {
    if (this.flags & F_INPASS) return; // a superseded apply observes again within the same pass
    this.flags |= F_INPASS;
    this.passStartedAt = this.host.clock.now();
    this.emit(PASS_START);
  }

  private endPass(result: PassResult): void {
    this.flags &= ~F_INPASS;
    this.passGeneration = this.generation;
    const durationMs = this.host.clock.now() - this.passStartedAt;
    if (this.deferred) this.deferred.push({ type: 'pass-done', result, durationMs });
    else this.host.passDone(this, result, durationMs); // the hot path: no notice object
  }

  /** Raise a notice: now, or once the machine's step is over and the phase says where it is. */
  private emit(notice: ActorNotice): void {
    if (this.deferred) this.deferred.push(notice);
    else this.host.notify(this, notice);
  }

  /** Run one provider operation; its outcome comes back as exactly one machine event. */
  private perform<T>(
    operation: string,
    work: OperationWork<ResourceActor>,
    onDone: (this: ResourceActor, value: T) => unknown,
    onError?: (this: ResourceActor) => void,
  ): void {
    this.operation = operation;
    this.onDone = onDone as (this: ResourceActor, value: never) => unknown;
    this.onError = onError;
    // A change follows its own observation: let it ahead of passes not started yet.
    this.host.operate(this.key, operation, this, work, operation !== 'observe');
  }

  /** OperationClient: the operation in flight ended. */
  settled(failed: boolean, result: unknown): void {
    const onDone = this.onDone;
    const onError = this.onError;
    this.onDone = undefined;
    this.onError = undefined;
    this.snapshot = undefined;
    const waiter = this.stopWaiter;
    if (waiter) {
      this.stopWaiter = undefined;
      waiter();
    }
    if (this.stopped) return;
    if (!failed) {
      try {
        onDone?.call(this, result as never);
      } catch (error) {
        this.crash(error);
      }
      return;
    }
    onError?.call(this);
    if (result instanceof ProviderContractError) this.crash(result);
    else this.send({ type: 'FAILED', error: result });
  }

  /** Wake the machine if it hibernates, deliver the event, and hibernate again if it rests. */
  private send(event: ResourceEvent): void {
    if (this.stopped) return;
    const outer = this.deferred === undefined;
    if (outer) this.deferred = [];
    try {
      let machine = this.machine;
      if (!machine) {
        machine = this.wake();
        if (!machine) return;
      }
      machine.send(event);
      if (this.stopped) return;
      const snapshot = machine.getSnapshot();
      if (snapshot.status !== 'active' && snapshot.status !== 'done') return;
      this.phase = snapshot.value as ResourcePhase;
      if (RESTING_PHASES.has(this.phase)) this.hibernate(machine);
    } finally {
      if (outer) this.flush();
    }
  }

  /** Deliver the notices of a step, now that phase and next tick are what listeners will read. */
  private flush(): void {
    const notices = this.deferred;
    this.deferred = undefined;
    this.failedNotice = undefined;
    if (notices) for (const notice of notices) this.host.notify(this, notice);
  }

  private wake(): Actor<typeof resourceMachine> | undefined {
    const input = { self: this as ResourceShell };
    const snapshot =
      this.phase === 'pending'
        ? undefined
        : resourceMachine.resolveState({ value: this.phase, context: input });
    const machine = createActor(resourceMachine, {
      input,
      clock: this.host.clock,
      ...(snapshot ? { snapshot } : {}),
    });
    machine.subscribe({ error: (error) => this.crash(error) });
    this.machine = machine;
    machine.start();
    return this.stopped ? undefined : machine;
  }

  private hibernate(machine: Actor<typeof resourceMachine>): void {
    this.machine = undefined;
    machine.stop();
    this.observed = undefined;
    if (this.phase === 'deleted') {
      this.halt();
      this.link.exit({ reason: 'normal' });
      return;
    }
    this.arm();
  }

  /** Arm the next tick for the resting phase. */
  private arm(): void {
    const host = this.host;
    let delay: number;
    switch (this.phase) {
      case 'pending':
        delay = 0;
        break;
      case 'synced':
      case 'outOfSync':
      case 'waiting': {
        const interval = this.desired.policy?.intervalMs ?? host.intervalMs;
        delay = Math.round(interval * (0.9 + 0.2 * host.random())); // ±10 % jitter spreads the herd
        break;
      }
      case 'deleteBackoff':
        delay = this.lastError === undefined ? host.intervalMs : this.nextDelayMs;
        break;
      default:
        delay = this.nextDelayMs;
    }
    if (!Number.isFinite(delay)) {
      this.nextReconcileAt = undefined;
      return;
    }
    const at = host.clock.now() + delay;
    this.nextReconcileAt = at;
    host.ticks.arm(this, delay);
  }

  /** Tickable: the armed tick is due. */
  onTick(): void {
    this.trigger();
  }

  private disarm(): void {
    this.tickDue = Number.NaN;
  }

  private halt(): void {
    this.flags |= F_STOPPED;
    this.disarm();
    const machine = this.machine;
    this.machine = undefined;
    machine?.stop();
  }

  /** A bug, not a provider failure: stop and let the supervisor restart a fresh actor. */
  private crash(error: unknown): void {
    if (this.stopped) return;
    this.halt();
    this.host.notify(this, { type: 'crashed', error });
    this.link.exit({ reason: 'crash', error });
  }

  /** A child logger bound to this resource, made only when a provider asks for `ctx.log`. */
  log(): Logger {
    return this.host.logger.child({
      kind: this.kind,
      name: this.name,
      generation: this.generation,
      attempt: this.attempts,
    });
  }
}

const observeWork: OperationWork<ResourceActor> = (actor, ctx) => actor.observeNow(ctx);
const listedWork: OperationWork<ResourceActor> = (actor, ctx) => actor.observeListed(ctx);

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** `delete` and `restart` promise nothing back; a value means the provider is broken. */
async function expectVoid(key: string, operation: string, pending: Promise<unknown>): Promise<void> {
  const value = await pending;
  if (value !== undefined) {
    throw new ProviderContractError(
      `${key}: ${operation} resolved with ${describeValue(value)}, expected undefined`,
    );
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
