import type { Logger } from 'pino';
import type { Observed } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import type { PlannedAction } from '../diff/plan.js';
import { mayDropFields } from '../diff/three-way.js';
import type { Assessment, AssessSubject } from './assess.js';
import {
  F_CHANGED,
  F_DEGRADED,
  F_HOTLOOP,
  F_INPASS,
  F_NODROPS,
  F_OVERDUE,
  F_ROLLBACK,
  F_UNHEALTHY,
  F_UNREACHABLE,
} from './flags.js';
import { describeLoop, type HotLoop } from './hot-loop.js';
import { type ActorNotice, type NoticeBatch, PASS_START, type PassResult } from './notices.js';
import type { ResourcePhase } from './phase.js';
import type { ActorHost } from './ports.js';
import type { RestingTimes } from './schedule.js';
import { conditionsOf, type ResourceStatus } from './status.js';

/**
 * What a resource actor remembers between passes: everything it is while it hibernates. A
 * process may hold a million of these, so the record is kept small: plain fields, the booleans
 * packed into `flags` (see `flags.ts`), one reference to the host its kind shares, and no
 * closure. What the actor does with it is in `resource-actor.ts`.
 */
export class ResourceRecord implements AssessSubject, RestingTimes {
  readonly key: string;
  desired: Resource;
  generation: number;
  observedGeneration = 0;
  /** The generation last brought in sync; a difference at this generation is drift. */
  syncedGeneration = 0;
  phase: ResourcePhase = 'pending';
  attempts = 0;
  lastError: string | undefined = undefined;
  plan: PlannedAction | undefined = undefined;
  assessment: Assessment = 'none';
  restarts: number;
  flags = 0;
  progressPolls = 0;
  /** Applies at this generation after the first; made only when there is a second (`hot-loop.ts`). */
  loop: HotLoop | undefined = undefined;
  /** The generation the last finished pass worked on. */
  passGeneration = 0;
  /** The operation in flight (or last run), for a failure's notice. */
  operation = 'observe';
  /** What the pass in flight observed (dropped when the actor rests). */
  observed: Observed | undefined = undefined;
  // Times are kept as whole milliseconds since the host's `epoch`, `undefined` for none: small
  // integers live in the field itself, while an absolute time (or `NaN`, or `Infinity`) in a
  // number field costs every record a 16-byte box per field. The accessors below convert.
  #lastAt: number | undefined = undefined;
  #nextAt: number | undefined = undefined;
  #passAt: number | undefined = undefined;
  #dueAt: number | undefined = undefined;
  #progressAt: number | undefined = undefined;
  #delay: number | undefined = 0;
  /** The shared list the first pass reads instead of observing (see `SharedListing`). */
  snapshot: ActorHost['snapshot'];
  /** Notices raised while the machine runs a step; delivered once the phase is settled. */
  batch: NoticeBatch | undefined = undefined;

  constructor(
    readonly host: ActorHost,
    desired: Resource,
    generation: number,
    key: string,
    restarts: number,
  ) {
    this.desired = desired;
    this.key = key;
    this.generation = generation;
    this.restarts = restarts;
    this.snapshot = host.snapshot;
  }

  /** When the last pass ended (the clock's time), if one has. */
  get lastReconcileAt(): number | undefined {
    return this.#lastAt === undefined ? undefined : this.#lastAt + this.host.epoch;
  }
  set lastReconcileAt(at: number | undefined) {
    this.#lastAt = at === undefined ? undefined : at - this.host.epoch;
  }

  /** When the next tick is armed for, if one is. */
  get nextReconcileAt(): number | undefined {
    return this.#nextAt === undefined ? undefined : this.#nextAt + this.host.epoch;
  }
  set nextReconcileAt(at: number | undefined) {
    this.#nextAt = at === undefined ? undefined : at - this.host.epoch;
  }

  /** When the pass in flight began. */
  get passStartedAt(): number {
    return (this.#passAt ?? 0) + this.host.epoch;
  }
  set passStartedAt(at: number) {
    this.#passAt = at - this.host.epoch;
  }

  /** When the armed tick is due (`NaN`: none armed); see `TickTimers`. */
  get tickDue(): number {
    return this.#dueAt === undefined ? Number.NaN : this.#dueAt + this.host.epoch;
  }
  set tickDue(at: number) {
    this.#dueAt = Number.isNaN(at) ? undefined : at - this.host.epoch;
  }

  /** When the object was last changed or first seen progressing (-1: neither). */
  get progressSince(): number {
    return this.#progressAt === undefined ? -1 : this.#progressAt + this.host.epoch;
  }
  set progressSince(at: number) {
    this.#progressAt = at < 0 ? undefined : at - this.host.epoch;
  }

  /** The delay the last pass computed for the next tick (`Infinity`: none). */
  get nextDelayMs(): number {
    return this.#delay ?? Number.POSITIVE_INFINITY;
  }
  set nextDelayMs(ms: number) {
    this.#delay = ms === Number.POSITIVE_INFINITY ? undefined : ms;
  }

  /** The kind and name are the desired resource's (a new generation keeps its key). */
  get kind(): string {
    return this.desired.kind;
  }

  get name(): string {
    return this.desired.name;
  }

  /** Ready: synced and healthy. Dependents wait for this. */
  get ready(): boolean {
    return this.phase === 'synced';
  }

  get rolledBack(): boolean {
    return (this.flags & F_ROLLBACK) !== 0;
  }

  /** This generation was in sync before: a difference now is drift. */
  get wasInSync(): boolean {
    return this.syncedGeneration === this.generation && this.syncedGeneration > 0;
  }

  dependenciesReady(): boolean {
    return this.host.dependenciesReady(this);
  }

  /**
   * The spec last applied, for a three-way diff, or `undefined` when it cannot matter: once it is
   * known to drop no field of this generation's spec, every tick skips both the lookup and the
   * walk until the spec or what was applied changes (`setDesired`, an apply clear `F_NODROPS`).
   */
  lastApplied(): Record<string, unknown> | undefined {
    if (this.flags & F_NODROPS) return undefined;
    const applied = this.host.lastApplied(this.key);
    if (applied === undefined || mayDropFields(applied, this.targetSpec())) return applied;
    this.flags |= F_NODROPS;
    return undefined;
  }

  managed(): boolean {
    return this.host.manages(this.key);
  }

  status(): ResourceStatus {
    const rolledBack = this.rolledBack;
    const origin = this.host.origin(this.key);
    return {
      key: this.key,
      kind: this.kind,
      name: this.name,
      phase: this.phase,
      conditions: conditionsOf({
        phase: this.phase,
        attempts: this.attempts,
        degraded: (this.flags & F_DEGRADED) !== 0,
        rolledBack,
        lastError: this.lastError,
        unhealthy: (this.flags & F_UNHEALTHY) !== 0,
        overdue: (this.flags & F_OVERDUE) !== 0,
        hotLoop: this.flags & F_HOTLOOP ? describeLoop(this.loop) : undefined,
        // The reason is what `onFailed` put before the message for an `UnreachableError`.
        unreachable: this.flags & F_UNREACHABLE ? this.lastError?.split(':', 1)[0] : undefined,
      }),
      generation: this.generation,
      observedGeneration: this.observedGeneration,
      attempts: this.attempts,
      lastError: this.lastError,
      lastReconcileAt: this.lastReconcileAt,
      nextReconcileAt: this.nextReconcileAt,
      plan: this.plan,
      rolledBack,
      restarts: this.restarts,
      ...(origin ? { origin } : {}),
    };
  }

  /** The spec to converge to: the desired one, or the last-good one while rolled back. */
  targetSpec(): Record<string, unknown> {
    if (!this.rolledBack) return this.desired.spec as Record<string, unknown>;
    return this.host.lastGood(this.key) ?? (this.desired.spec as Record<string, unknown>);
  }

  /** RestingTimes: this resource's resync interval. */
  get intervalMs(): number {
    return this.desired.policy?.intervalMs ?? this.host.intervalMs;
  }

  get kindIntervalMs(): number {
    return this.host.intervalMs;
  }

  get failed(): boolean {
    return this.lastError !== undefined;
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

  // ── passes and notices ───────────────────────────────────────────────────────────────────
  beginPass(): void {
    if (this.flags & F_INPASS) return; // a superseded apply, or a verify, observes within the pass
    this.flags = (this.flags | F_INPASS) & ~F_CHANGED;
    this.passStartedAt = this.host.clock.now();
    this.host.tracing?.begin(this);
    this.emit(PASS_START);
  }

  /** The pass is over; `now`: the clock's time, if read already. */
  endPass(result: PassResult, now = this.host.clock.now()): void {
    this.flags &= ~F_INPASS;
    this.passGeneration = this.generation;
    const durationMs = now - this.passStartedAt;
    this.host.tracing?.end(this, result);
    if (this.batch) this.batch.push({ type: 'pass-done', result, durationMs });
    else this.host.passDone(this, result, durationMs); // the hot path: no notice object
  }

  /** Raise a notice: now, or once the machine's step is over and the phase says where it is. */
  emit(notice: ActorNotice): void {
    if (this.batch) this.batch.push(notice);
    else this.host.notify(this, notice);
  }
}
