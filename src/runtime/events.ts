import type { ResourceKey } from '../contract/resource.js';
import type { PlannedAction } from '../diff/plan.js';
import type { DesiredSetError } from '../diff/rules.js';
import type { SupervisorTree } from '../supervisor/index.js';

/** Fields every resource event carries. */
interface ResourceEventBase {
  readonly key: ResourceKey;
  readonly kind: string;
  readonly name: string;
  readonly generation: number;
  readonly at: number;
}

/**
 * Every event the runtime emits, by name. Subscribe with `runtime.on(name, fn)`; the call
 * returns a function that unsubscribes.
 */
export interface RuntimeEvents {
  /** A pass starts: the actor is about to observe. */
  'reconcile:start': (e: ResourceEventBase & { attempt: number }) => void;
  /** A pass ends. `result` says how. */
  'reconcile:done': (
    e: ResourceEventBase & {
      result: 'in-sync' | 'applied' | 'failed' | 'planned' | 'waiting' | 'progressing';
      durationMs: number;
    },
  ) => void;
  /** A create / update / replace / delete / restart was applied (an adoption's changes are an update). */
  'action:applied': (
    e: ResourceEventBase & {
      action: Exclude<PlannedAction['action'], 'adopt'> | 'restart';
      durationMs: number;
    },
  ) => void;
  /** A provider operation failed; `delayMs` is when the actor tries again. */
  'action:failed': (
    e: ResourceEventBase & {
      operation: 'observe' | 'create' | 'update' | 'replace' | 'delete' | 'restart';
      error: string;
      attempt: number;
      delayMs: number | undefined;
      permanent: boolean;
    },
  ) => void;
  /** The resource became Ready (synced and healthy). */
  'resource:synced': (e: ResourceEventBase) => void;
  /**
   * An object that existed, and that this runtime did not create, is taken into its inventory
   * (found in sync, or changed to match). It is not deleted when it leaves the desired set
   * unless `pruneAdopted`.
   */
  'resource:adopted': (e: ResourceEventBase) => void;
  /** The resource is gone: deleted, or released from management. */
  'resource:deleted': (e: ResourceEventBase) => void;
  /** The observed object changed while the desired spec did not. */
  drift: (e: ResourceEventBase & { policy: 'enforce' | 'alert' | 'ignore'; changes: number }) => void;
  /** Retries exhausted, or a permanent error. The actor keeps retrying at the backoff cap. */
  degraded: (e: ResourceEventBase & { reason: string; rollback: boolean }) => void;
  /**
   * The provider's `health` says the object is unhealthy, or it is still progressing past its
   * progress deadline: a failed attempt. `restart`: the provider's restart runs now.
   */
  'resource:unhealthy': (
    e: ResourceEventBase & { reason: 'unhealthy' | 'progress-deadline'; attempt: number; restart: boolean },
  ) => void;
  /**
   * A hot loop: the resource was applied `applies` times at one generation within `sinceMs`
   * without staying in sync (a fight with another writer, a provider whose change never holds).
   * `fields` are the ones that kept changing. From now on its applies follow the backoff.
   */
  hotloop: (e: ResourceEventBase & { applies: number; sinceMs: number; fields: readonly string[] }) => void;
  /** The hot loop is over: the resource stayed in sync after its last apply. */
  'hotloop:ended': (e: ResourceEventBase & { applies: number }) => void;
  /** A Degraded resource is Ready again. */
  recovered: (e: ResourceEventBase) => void;
  /** The resource's plan, when computed and not applied (dry-run, drift policy `alert`). */
  'plan:computed': (e: ResourceEventBase & { action: PlannedAction }) => void;
  /** An actor crashed (a bug or broken value, not a provider failure); its supervisor decides. */
  'actor:crashed': (e: ResourceEventBase & { error: string }) => void;
  /**
   * A resource crashed `crashes` times in a row (`supervision.crashLoopAfter` or more): it is
   * Degraded (reason `CrashLoop`), and its actor starts again in `delayMs`.
   */
  'actor:crashloop': (e: ResourceEventBase & { crashes: number; delayMs: number; error: string }) => void;
  /** A crashed actor was started again (at once after one crash, after a backoff in a crash loop). */
  'actor:restarted': (e: { key: ResourceKey; at: number; restarts: number }) => void;
  /** A kind's supervisor gave up (too many of its resources crashed at once) and the root decides. */
  'supervisor:escalated': (e: { supervisor: string; at: number }) => void;
  /** A new desired set was accepted. */
  'desired:accepted': (e: { added: number; changed: number; removed: number; at: number }) => void;
  /** A desired set was rejected; the previous one keeps running. */
  'desired:rejected': (e: { errors: readonly DesiredSetError[]; at: number }) => void;
  /**
   * Deletes beyond the kind's deletion budget are held: the resources left the desired set but
   * stay until `approveDeletions` (or until they are desired again). `budget.max` is the limit
   * they were counted against, per `windowMs`.
   */
  'deletion:held': (e: {
    kind: string;
    keys: readonly string[];
    budget: { max: number; windowMs: number };
    at: number;
  }) => void;
  /** Held deletes were approved and go ahead (dependents first). */
  'deletion:approved': (e: { keys: readonly string[]; at: number }) => void;
  /** The root supervisor gave up: the runtime cannot keep its promises any more. */
  'runtime:failed': (e: { error: string; at: number; tree: SupervisorTree | undefined }) => void;
}

export type RuntimeEventName = keyof RuntimeEvents;
