import type { Logger } from 'pino';
import type { ActorOptions, AnyActorLogic } from 'xstate';
import type { Backoff } from '../backoff/backoff.js';
import type { Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import type { OperationClient, OperationWork } from '../queue/operation-queue.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { TickTimers } from '../time/tick-timers.js';
import type { AssessPolicy } from './assess.js';
import type { HotLoopPolicy } from './hot-loop.js';
import type { ActorNotice, PassResult } from './notices.js';
import type { ResourceRecord } from './record.js';
import type { PassTracing } from './tracing.js';

/** An xstate inspector (`createActor`'s `inspect`), given every resource machine as it wakes. */
export type MachineInspector = ActorOptions<AnyActorLogic>['inspect'];

/**
 * What a resource actor needs from the runtime that hosts it, as small ports. The actor calls
 * down into them; the runtime implements them (one host per kind, shared by every actor of the
 * kind, so an actor carries a single reference) and never reaches back into an actor's state.
 */

/** The kind's settings, read by every pass. */
export interface KindPolicy extends AssessPolicy {
  readonly kind: string;
  readonly provider: Provider;
  readonly backoff: Backoff;
  /** The resync interval in ms, unless a resource's policy says otherwise. */
  readonly intervalMs: number;
  /** Failures in a row before a resource is Degraded, unless its policy says otherwise. */
  readonly maxRetries: number;
  /** Apply the last-good spec when a new one exhausts its retries. */
  readonly rollback: boolean;
  /** How long a change may stay progressing before it has failed, unless a resource's policy says. */
  readonly progressDeadlineMs: number;
  /** When repeated applies at one generation are a hot loop (see `hot-loop.ts`). */
  readonly hotLoop: HotLoopPolicy;
}

/** Time, randomness, the shared tick timers and the log. */
export interface ActorServices {
  readonly clock: Clock;
  /**
   * A whole-millisecond time of the clock near the host's start. Records keep their times
   * relative to it, as small integers (see `record.ts`).
   */
  readonly epoch: number;
  readonly random: Random;
  /** Where an actor arms its next tick: one timer per due time, shared. */
  readonly ticks: TickTimers;
  readonly logger: Logger;
  /** Spans for passes and provider calls, when tracing is on (see `tracing.ts`). */
  readonly tracing: PassTracing | undefined;
  /** Sees every step of the machine while it is awake, when one is given. */
  readonly inspect: MachineInspector | undefined;
}

/** Provider operations, and a shared list for the first pass of many new resources. */
export interface OperationPort {
  /**
   * Run one provider operation for `key`: serialised per key, admitted by the provider's queue,
   * under its deadline. `client.settled` hears the outcome, once, asynchronously. `urgent`: a
   * pass's change, which goes ahead of passes not started yet.
   */
  operate<C extends OperationClient>(
    key: string,
    name: string,
    client: C,
    work: OperationWork<C>,
    urgent?: boolean,
  ): void;
  /**
   * A shared `list` for the first pass of the actors being created now (many resources added
   * at once to a provider that can list), or `undefined`: each observes on its own.
   */
  readonly snapshot: SharedListing | undefined;
}

/** One `list` of the provider, answering many first observations. */
export interface SharedListing {
  observe(ref: Resource, ctx: ProviderContext): Promise<Observed | undefined>;
}

/** The inventory: what this runtime created or adopted, last-good specs, the journal of intents. */
export interface InventoryPort {
  /** Is this object in the inventory (created or adopted by this runtime)? Only those are deleted. */
  manages(key: string): boolean;
  /** `created` or `adopted` when the object is in the inventory. */
  origin(key: string): 'created' | 'adopted' | undefined;
  /**
   * May the object be deleted when it leaves the desired set? Those this runtime created; those
   * it adopted only under the policy `pruneAdopted`.
   */
  prunable(key: string): boolean;
  /** Drop the object from the inventory and leave it in the world (an adopted one, released). */
  forget(key: string): Promise<void>;
  /** The last spec seen in sync and healthy, for rollback. */
  lastGood(key: string): Record<string, unknown> | undefined;
  /** The spec last applied (created, updated or adopted with), for the three-way diff. */
  lastApplied(key: string): Record<string, unknown> | undefined;
  /** The provider's own id for the object, recorded from `Provider.handleOf`. */
  handle(key: string): string | undefined;
  /**
   * Write the intent to the journal, apply, then record the outcome in the inventory. A delete
   * forgets the key unless `keep` (the delete half of a replace: the create follows).
   */
  journal<T>(
    actor: ResourceRecord,
    op: 'create' | 'update' | 'delete',
    spec: Record<string, unknown> | undefined,
    apply: () => Promise<T>,
    keep?: boolean,
  ): Promise<T>;
}

/** The dependency graph of the desired set. */
export interface DependencyPort {
  /** Every resource `actor` depends on is Ready. */
  dependenciesReady(actor: ResourceRecord): boolean;
  /** Resources that depend on `actor` still exist: its delete must wait. */
  dependentsRemain(actor: ResourceRecord): boolean;
}

/** Where an actor reports what happened. */
export interface NoticePort {
  notify(actor: ResourceRecord, notice: ActorNotice): void;
  /** A pass ended: the same as notifying `pass-done`, without building the notice (the hot path). */
  passDone(actor: ResourceRecord, result: PassResult, durationMs: number): void;
}

/** Everything an actor's host provides. */
export interface ActorHost
  extends KindPolicy,
    ActorServices,
    OperationPort,
    InventoryPort,
    DependencyPort,
    NoticePort {}
