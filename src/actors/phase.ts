/**
 * Where a resource is in its life: the states of the resource machine a status can show.
 *
 * A **busy** phase runs exactly one provider operation. A **resting** phase waits for its next
 * tick, and the actor hibernates in it (see `resource-actor.ts`): `pending` before the first
 * pass, `deleted` after the last, and between them the phases a pass ends in.
 */
export type BusyPhase = 'observing' | 'applying' | 'restarting' | 'deleting';

/** The phases a pass ends in: it has looked at the world, whatever it found. */
export type AfterPassPhase =
  | 'waiting'
  | 'synced'
  | 'outOfSync'
  | 'progressing'
  | 'backoff'
  | 'degraded'
  | 'deleteBackoff';

export type RestingPhase = 'pending' | AfterPassPhase | 'deleted';

export type ResourcePhase = BusyPhase | RestingPhase;

const BUSY: ReadonlySet<ResourcePhase> = new Set<BusyPhase>([
  'observing',
  'applying',
  'restarting',
  'deleting',
]);

const AFTER_PASS: ReadonlySet<ResourcePhase> = new Set<AfterPassPhase>([
  'waiting',
  'synced',
  'outOfSync',
  'progressing',
  'backoff',
  'degraded',
  'deleteBackoff',
]);

const RESTING: ReadonlySet<ResourcePhase> = new Set<ResourcePhase>([...AFTER_PASS, 'pending', 'deleted']);

/** Running a provider operation. */
export function isBusy(phase: ResourcePhase): phase is BusyPhase {
  return BUSY.has(phase);
}

/** Waiting for the next tick (or done, for `deleted`): the actor may hibernate. */
export function isResting(phase: ResourcePhase): phase is RestingPhase {
  return RESTING.has(phase);
}

/** Resting after a pass: not before the first one (`pending`), not after the last (`deleted`). */
export function isAfterPass(phase: ResourcePhase): phase is AfterPassPhase {
  return AFTER_PASS.has(phase);
}
