import { setup } from 'xstate';
import type { Assessment } from './assess.js';
import type { ResourceEvent } from './resource.events.js';

/**
 * The lifecycle of one resource, as a state chart.
 *
 * ```
 *            TICK                OBSERVED
 *  pending ───────► observing ─────────────► (assess) ──► synced ◄────────────┐
 *  waiting ──┘          │                       │  ├──► waiting  (deps)      │ APPLIED
 *  synced ───┘    ▲     │ FAILED                │  ├──► progressing ◄── restarting
 *  backoff ──┘     │     ▼                       │  ├──► outOfSync (dry-run,     ▲
 *  degraded ─┘     │ (failing) ──► backoff       │  │     drift: alert)        │
 *  progressing┘    │      └──────► degraded      │  ├──► (unhealthy) ──────────┘
 *                  │                             │  │        └──► backoff / degraded
 *                  │                             │  ├──► backoff (a hot loop holds the apply)
 *                  └─── APPLIED (with health: ───│──└──► applying ──► synced (no health)
 *                        verify the change)
 *  any resting ── DELETE ──► (dependents gone?) ──► deleting ──► deleted (final)
 *                                   └── no ──► deleteBackoff
 * ```
 *
 * Resting states (`pending`, `waiting`, `synced`, `outOfSync`, `progressing`, `backoff`,
 * `degraded`, `deleteBackoff`) wait for the next tick; the actor hibernates in them (see
 * `resource-actor.ts` and `phase.ts`). Busy states (`observing`, `applying`, `restarting`,
 * `deleting`) run exactly one provider operation. Every decision reads the one assessment of
 * the last observation (`assess.ts`), so the machine and the hibernated fast path can never
 * disagree. Transient states (`assessing`, `unhealthy`, `failing`, `deleteCheck`) only choose where to go.
 *
 * The machine is defined once and shared by every resource. Its context is only the shell, the
 * {@link ResourceShell} it drives: guards read it, actions call it. The runtime's shell is
 * `PassSteps` on a resource's record; a test can drive the machine with a fake one.
 */
export interface ResourceShell {
  /** What the last observation means; set by `recordObservation`. */
  readonly assessment: Assessment;
  /** Triggers arrived while busy: run one more pass before resting. */
  readonly dirty: boolean;
  /** The resource left the desired set while busy. */
  readonly deleteRequested: boolean;
  /** The last failure was a `PermanentError`. */
  readonly permanentFailure: boolean;
  /** Failures since the last success reached `maxRetries`. */
  readonly retriesExhausted: boolean;
  /** Delete is blocked: resources that depend on this one still exist. */
  readonly dependentsRemain: boolean;
  /** The provider has `health`: an applied change is Ready only once seen healthy. */
  readonly checksHealth: boolean;
  /** This pass made a change and observes again to see whether it took. */
  readonly verifying: boolean;
  /** Still progressing, and past the progress deadline: the change has failed. */
  readonly overdue: boolean;
  /** The provider can restart an unhealthy object. */
  readonly canRestart: boolean;
  /** A hot loop holds applies until later. */
  readonly throttled: boolean;

  startObserve(): void;
  recordObservation(event: Extract<ResourceEvent, { type: 'OBSERVED' }>): void;
  startApply(): void;
  startRestart(): void;
  startDelete(): void;
  clearDirty(): void;
  /** Success: reset attempts, record the good spec, emit `resource:synced`. */
  onSynced(): void;
  /** Unhealthy, or progressing past the deadline: count a failed attempt and report it. */
  onUnhealthy(): void;
  /** End the pass of an unhealthy object that is not restarted now. */
  endUnhealthy(): void;
  /** Changes found, held by a hot loop's throttle. */
  onThrottled(): void;
  /** In sync but not yet healthy (or just changed): record the pass, poll again soon. */
  onProgressing(): void;
  /** Record a failure, count the attempt and compute the next delay. */
  onFailed(event: Extract<ResourceEvent, { type: 'FAILED' }>): void;
  onDegraded(): void;
  onOutOfSync(): void;
  onWaiting(): void;
  onDeleted(): void;
}

export interface ResourceMachineContext {
  readonly self: ResourceShell;
}

const REST = [
  { guard: 'deleteRequested', target: '#resource.deleteCheck' },
  { guard: 'dirty', target: '#resource.observing', actions: 'clearDirty' },
] as const;

const RESTING_ON = {
  TICK: '#resource.observing',
  DELETE: '#resource.deleteCheck',
} as const;

export const resourceMachine = setup({
  types: {
    context: {} as ResourceMachineContext,
    input: {} as ResourceMachineContext,
    events: {} as ResourceEvent,
  },
  actions: {
    startObserve: ({ context }) => context.self.startObserve(),
    recordObservation: ({ context, event }) => {
      if (event.type === 'OBSERVED') context.self.recordObservation(event);
    },
    startApply: ({ context }) => context.self.startApply(),
    startRestart: ({ context }) => context.self.startRestart(),
    startDelete: ({ context }) => context.self.startDelete(),
    clearDirty: ({ context }) => context.self.clearDirty(),
    onSynced: ({ context }) => context.self.onSynced(),
    onUnhealthy: ({ context }) => context.self.onUnhealthy(),
    endUnhealthy: ({ context }) => context.self.endUnhealthy(),
    onThrottled: ({ context }) => context.self.onThrottled(),
    onProgressing: ({ context }) => context.self.onProgressing(),
    onFailed: ({ context, event }) => {
      if (event.type === 'FAILED') context.self.onFailed(event);
    },
    onDegraded: ({ context }) => context.self.onDegraded(),
    onOutOfSync: ({ context }) => context.self.onOutOfSync(),
    onWaiting: ({ context }) => context.self.onWaiting(),
    onDeleted: ({ context }) => context.self.onDeleted(),
  },
  guards: {
    dirty: ({ context }) => context.self.dirty,
    deleteRequested: ({ context }) => context.self.deleteRequested,
    inSync: ({ context }) => context.self.assessment === 'in-sync',
    stillProgressing: ({ context }) => context.self.assessment === 'progressing' && !context.self.overdue,
    sick: ({ context }) => context.self.assessment === 'unhealthy' || context.self.overdue,
    checksHealth: ({ context }) => context.self.checksHealth,
    notLanded: ({ context }) =>
      context.self.verifying &&
      (context.self.assessment === 'changes' || context.self.assessment === 'waiting'),
    canRestart: ({ context }) => context.self.canRestart,
    throttled: ({ context }) => context.self.throttled,
    waiting: ({ context }) => context.self.assessment === 'waiting',
    reportOnly: ({ context }) => context.self.assessment === 'report-only',
    degrade: ({ context }) =>
      context.self.permanentFailure || context.self.retriesExhausted || context.self.overdue,
    dependentsRemain: ({ context }) => context.self.dependentsRemain,
  },
}).createMachine({
  id: 'resource',
  context: ({ input }) => ({ self: input.self }),
  initial: 'pending',
  states: {
    // A new resource's first observation runs on the hibernated fast path too.
    pending: {
      on: {
        ...RESTING_ON,
        ASSESSED: 'assessing',
        FAILED: { target: 'failing', actions: 'onFailed' },
      },
    },
    waiting: { entry: 'onWaiting', always: REST, on: RESTING_ON },
    synced: {
      entry: 'onSynced',
      always: REST,
      // The hibernated fast path observes on its own and hands over what it saw.
      on: {
        ...RESTING_ON,
        ASSESSED: 'assessing',
        FAILED: { target: 'failing', actions: 'onFailed' },
      },
    },
    outOfSync: { entry: 'onOutOfSync', always: REST, on: RESTING_ON },
    progressing: { entry: 'onProgressing', always: REST, on: RESTING_ON },
    backoff: { always: REST, on: RESTING_ON },
    degraded: { entry: 'onDegraded', always: REST, on: RESTING_ON },

    observing: {
      entry: 'startObserve',
      on: {
        OBSERVED: { target: 'assessing', actions: 'recordObservation' },
        FAILED: { target: 'failing', actions: 'onFailed' },
        DELETE: {}, // recorded by the shell as deleteRequested; handled once the pass ends
      },
    },
    assessing: {
      always: [
        { guard: 'deleteRequested', target: 'deleteCheck' },
        // Verifying a change just made: a difference means it has not landed yet, never a reapply.
        { guard: 'notLanded', target: 'progressing' },
        { guard: 'waiting', target: 'waiting' },
        { guard: 'inSync', target: 'synced' },
        { guard: 'stillProgressing', target: 'progressing' },
        { guard: 'sick', target: 'unhealthy', actions: 'onUnhealthy' },
        { guard: 'reportOnly', target: 'outOfSync' },
        { guard: 'throttled', target: 'backoff', actions: 'onThrottled' },
        { target: 'applying' },
      ],
    },
    // Unhealthy, or progressing past the deadline: restart, back off, or (out of attempts) degrade.
    unhealthy: {
      always: [
        { guard: 'degrade', target: 'degraded', actions: 'endUnhealthy' },
        { guard: 'canRestart', target: 'restarting' },
        { target: 'backoff', actions: 'endUnhealthy' },
      ],
    },
    applying: {
      entry: 'startApply',
      on: {
        // Ready only once seen healthy: with `health`, the pass looks again to verify the change.
        APPLIED: [{ guard: 'checksHealth', target: 'observing' }, { target: 'synced' }],
        SUPERSEDED: 'observing',
        FAILED: { target: 'failing', actions: 'onFailed' },
      },
    },
    restarting: {
      entry: 'startRestart',
      on: {
        APPLIED: 'progressing',
        FAILED: { target: 'failing', actions: 'onFailed' },
      },
    },
    failing: {
      always: [{ guard: 'degrade', target: 'degraded' }, { target: 'backoff' }],
    },

    // A delete waits until every resource that depends on this one is gone.
    deleteCheck: {
      always: [{ guard: 'dependentsRemain', target: 'deleteBackoff' }, { target: 'deleting' }],
    },
    deleting: {
      entry: 'startDelete',
      on: {
        DELETED: { target: 'deleted', actions: 'onDeleted' },
        FAILED: { target: 'deleteBackoff', actions: 'onFailed' },
      },
    },
    deleteBackoff: {
      // A trigger that arrived while the delete ran (a dependent is gone, `reconcile(key)`).
      always: { guard: 'dirty', target: 'deleteCheck', actions: 'clearDirty' },
      on: { TICK: 'deleteCheck', DELETE: 'deleteCheck' },
    },
    deleted: { type: 'final' },
  },
});
