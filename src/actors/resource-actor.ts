import { type Actor, createActor } from 'xstate';
import { ProviderContractError } from '../contract/errors.js';
import type { Resource } from '../contract/resource.js';
import type { OperationClient, OperationWork } from '../queue/operation-queue.js';
import type { Child, ChildLink } from '../supervisor/index.js';
import type { Tickable } from '../time/tick-timers.js';
import { fastCheck } from './fast-path.js';
import {
  F_DELETE,
  F_DIRTY,
  F_FAST,
  F_INPASS,
  F_NODROPS,
  F_OVERDUE,
  F_PERMANENT,
  F_ROLLBACK,
  F_STOPPED,
  F_UNHEALTHY,
} from './flags.js';
import { resetLoop } from './hot-loop.js';
import { NoticeBatch } from './notices.js';
import { PassSteps } from './pass-steps.js';
import { isResting, type ResourcePhase } from './phase.js';
import type { ActorHost } from './ports.js';
import { ResourceRecord } from './record.js';
import type { ResourceEvent } from './resource.events.js';
import { resourceMachine } from './resource.machine.js';
import { restingDelay } from './schedule.js';

/**
 * One managed resource: a long-lived actor whose behaviour is `resourceMachine`.
 *
 * Between passes the actor hibernates (GenServer's `:hibernate`): no xstate actor exists, only
 * its record (`record.ts`), its phase and its next deadline. A tick on an in-sync resource runs
 * the fast check (observe, then `assess`) without waking the machine; anything else (a
 * difference, a failure to retry, a new generation, a delete) wakes the machine in the resting
 * phase it left, and the machine runs the pass through its shell (`pass-steps.ts`), then goes
 * back to sleep. Provider calls go through the host's operation queue, one at a time per key.
 *
 * The runtime drives an actor through `start`, `trigger`, `setDesired`, `requestDelete`,
 * `status`, `stop` and `kill`; the actor calls down into its host's ports (`ports.ts`).
 */
export class ResourceActor extends ResourceRecord implements Child, OperationClient, Tickable {
  private machine: Actor<typeof resourceMachine> | undefined = undefined;
  /** What to do with the outcome of the operation in flight (one at a time per actor). */
  private onDone: ((this: ResourceActor, value: never) => unknown) | undefined = undefined;
  private onError: ((this: ResourceActor) => void) | undefined = undefined;
  private stopWaiter: (() => void) | undefined = undefined;

  constructor(
    host: ActorHost,
    desired: Resource,
    generation: number,
    private readonly link: ChildLink,
    restarts = 0,
  ) {
    super(host, desired, generation, link.id, restarts);
  }

  // ── what the runtime calls ───────────────────────────────────────────────────────────────
  /** Begin reconciling (the first pass runs at once). */
  start(): this {
    this.trigger();
    return this;
  }

  /** Reconcile now: a tick, a new generation, `reconcile(key)`, a dependency became Ready. */
  trigger(): void {
    if (this.flags & F_STOPPED || this.phase === 'deleted') return;
    if (this.machine || this.flags & F_FAST) {
      this.flags |= F_DIRTY; // coalesce: one follow-up pass, never a queue of them
      return;
    }
    this.tickDue = Number.NaN;
    if ((this.phase === 'synced' || this.phase === 'pending') && !(this.flags & F_DELETE)) {
      fastCheck(this); // most passes find nothing to do: the machine stays asleep
      return;
    }
    this.send({ type: 'TICK' });
  }

  /** A new generation of the desired spec. */
  setDesired(desired: Resource, generation: number): void {
    this.desired = desired;
    this.generation = generation;
    this.flags &= ~(F_ROLLBACK | F_PERMANENT | F_OVERDUE | F_UNHEALTHY | F_NODROPS);
    this.attempts = 0;
    this.progressSince = -1;
    resetLoop(this);
    this.trigger();
  }

  /** The resource left the desired set: delete it (after its dependents), then exit. */
  requestDelete(): void {
    if (this.flags & F_STOPPED || this.phase === 'deleted') return;
    this.flags |= F_DELETE;
    if (this.machine || this.flags & F_FAST) return; // picked up when the pass ends
    this.tickDue = Number.NaN;
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

  // ── operations ───────────────────────────────────────────────────────────────────────────
  /** Run one provider operation; its outcome comes back through `onDone` or as `FAILED`. */
  perform<T>(
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

  /** OperationClient: the provider's id for this object, when the inventory has one. */
  handle(): string | undefined {
    return this.host.handle(this.key);
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
    if (this.flags & F_STOPPED) return;
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

  // ── the machine: woken for a step, hibernated when it rests ─────────────────────────────
  /** Wake the machine if it hibernates, deliver the event, and hibernate again if it rests. */
  send(event: ResourceEvent): void {
    if (this.flags & F_STOPPED) return;
    const outer = this.batch === undefined;
    if (outer) this.batch = new NoticeBatch();
    try {
      const machine = this.machine ?? this.wake();
      if (!machine) return;
      machine.send(event);
      if (this.flags & F_STOPPED) return;
      const snapshot = machine.getSnapshot();
      if (snapshot.status !== 'active' && snapshot.status !== 'done') return;
      this.phase = snapshot.value as ResourcePhase;
      if (isResting(this.phase)) this.hibernate(machine);
    } finally {
      if (outer) this.flush();
    }
  }

  /** Deliver the notices of a step, now that phase and next tick are what listeners will read. */
  private flush(): void {
    const batch = this.batch;
    this.batch = undefined;
    if (batch) for (const notice of batch.notices) this.host.notify(this, notice);
  }

  private wake(): Actor<typeof resourceMachine> | undefined {
    const input = { self: new PassSteps(this) };
    const snapshot =
      this.phase === 'pending'
        ? undefined
        : resourceMachine.resolveState({ value: this.phase, context: input });
    const inspect = this.host.inspect;
    const machine = createActor(resourceMachine, {
      input,
      clock: this.host.clock,
      ...(snapshot ? { snapshot } : {}),
      ...(inspect ? { inspect } : {}),
    });
    machine.subscribe({ error: (error) => this.crash(error) });
    this.machine = machine;
    machine.start();
    return this.flags & F_STOPPED ? undefined : machine;
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

  // ── ticks ────────────────────────────────────────────────────────────────────────────────
  /** Arm the next tick for the resting phase; `now`: the clock's time, if read already. */
  arm(now?: number): void {
    const delay = restingDelay(this.phase, this, this.host.random);
    if (!Number.isFinite(delay)) {
      this.nextReconcileAt = undefined;
      return;
    }
    const at = now ?? this.host.clock.now();
    this.nextReconcileAt = at + delay;
    this.host.ticks.arm(this, delay, at);
  }

  /** Tickable: the armed tick is due. */
  onTick(): void {
    this.trigger();
  }

  private halt(): void {
    this.host.tracing?.end(this, 'stopped'); // a pass cut short
    this.flags |= F_STOPPED;
    this.tickDue = Number.NaN;
    const machine = this.machine;
    this.machine = undefined;
    machine?.stop();
  }

  /** A bug, not a provider failure: stop and let the supervisor restart a fresh actor. */
  crash(error: unknown): void {
    if (this.flags & F_STOPPED) return;
    this.host.tracing?.end(this, 'crashed', error);
    this.halt();
    this.host.notify(this, { type: 'crashed', error });
    this.link.exit({ reason: 'crash', error });
  }
}
