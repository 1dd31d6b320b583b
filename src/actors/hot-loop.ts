import type { PlannedAction } from '../diff/plan.js';
import { F_APPLIED, F_HOTLOOP } from './flags.js';
import type { ResourceRecord } from './record.js';

/**
 * Hot loops: a resource that keeps being applied without staying in sync. Another writer
 * fighting over a field, a provider whose update never takes, two fields that oscillate: each
 * pass finds a difference, applies it, and the next pass finds it again. Every single pass looks
 * like a success, so nothing else would ever say so.
 *
 * An actor counts the applies it makes at one generation of the desired spec. The first is the
 * change itself; the ones after it repair something that did not hold. More than `maxApplies`
 * within `windowMs` is a hot loop: the actor raises `Degraded` (reason `HotLoop`) and an event
 * naming the fields that keep changing, and from then on waits before each apply on the
 * backoff's schedule (base·factor^n up to the cap, without jitter), so a fight costs a few
 * applies an hour instead of one per tick. The loop ends when an observation finds the resource
 * still in sync a whole resync interval, and a whole hold, after the last apply: it held. A new
 * generation starts the count afresh.
 *
 * Nothing is kept for a resource that applies once per generation (almost all of them): the
 * count lives in a {@link HotLoop} made on the second apply.
 */
export interface HotLoopPolicy {
  /** Applies at one generation allowed within `windowMs` before it is a hot loop. */
  readonly maxApplies: number;
  readonly windowMs: number;
}

export const DEFAULT_HOT_LOOP: HotLoopPolicy = Object.freeze({ maxApplies: 5, windowMs: 600_000 });

/** The most field names a hot loop keeps. */
const MAX_FIELDS = 16;

export interface HotLoop {
  /** Applies at this generation since `since`. */
  applies: number;
  /** When the count started. */
  since: number;
  /** When the last apply finished. */
  lastAt: number;
  /** No apply before this time (while hot). */
  holdUntil: number;
  /** The fields the applies changed, in the order first seen. */
  readonly fields: string[];
}

/** A change was applied: count it, and detect (or keep throttling) a hot loop. */
export function noteApply(a: ResourceRecord, plan: PlannedAction | undefined): void {
  if (!(a.flags & F_APPLIED)) {
    a.flags |= F_APPLIED; // the change itself
    return;
  }
  const now = a.host.clock.now();
  const policy = a.host.hotLoop;
  let loop = a.loop;
  if (loop === undefined || (!(a.flags & F_HOTLOOP) && now - loop.since > policy.windowMs)) {
    loop = { applies: 1, since: now, lastAt: now, holdUntil: now, fields: [] };
    a.loop = loop;
  }
  loop.applies++;
  loop.lastAt = now;
  addFields(loop.fields, plan);
  if (loop.applies <= policy.maxApplies) return;
  const excess = loop.applies - policy.maxApplies - 1;
  loop.holdUntil = now + a.host.backoff.ceiling(excess);
  if (a.flags & F_HOTLOOP) return;
  a.flags |= F_HOTLOOP;
  a.emit({ type: 'hot-loop', applies: loop.applies, sinceMs: now - loop.since, fields: [...loop.fields] });
}

/** The pass found changes, but a hot loop holds its applies until later. */
export function throttled(a: ResourceRecord): boolean {
  return (a.flags & F_HOTLOOP) !== 0 && a.loop !== undefined && a.host.clock.now() < a.loop.holdUntil;
}

/** How long a pass that found changes holds them: until the hot loop's hold ends. */
export function holdDelay(a: ResourceRecord): number {
  const now = a.host.clock.now();
  return Math.max(0, (a.loop?.holdUntil ?? now) - now);
}

/** An observation found the resource in sync: a hot loop that held is over. */
export function noteInSync(a: ResourceRecord): void {
  const loop = a.loop;
  if (loop === undefined) return;
  const now = a.host.clock.now();
  if (!(a.flags & F_HOTLOOP)) {
    if (now - loop.since > a.host.hotLoop.windowMs) a.loop = undefined; // a quiet window: forget
    return;
  }
  // Held: in sync for a whole resync interval and a whole hold since the last apply.
  if (now - loop.lastAt < Math.max(a.intervalMs, loop.holdUntil - loop.lastAt)) return;
  a.flags &= ~F_HOTLOOP;
  a.loop = undefined;
  a.emit({ type: 'hot-loop-ended', applies: loop.applies });
}

/** A new generation: its applies are counted afresh, and a hot loop of the old one is over. */
export function resetLoop(a: ResourceRecord): void {
  const loop = a.loop;
  const hot = (a.flags & F_HOTLOOP) !== 0;
  a.flags &= ~(F_APPLIED | F_HOTLOOP);
  a.loop = undefined;
  if (hot) a.emit({ type: 'hot-loop-ended', applies: loop?.applies ?? 0 });
}

function addFields(fields: string[], plan: PlannedAction | undefined): void {
  if (plan === undefined) return;
  const names =
    plan.action === 'update' || plan.action === 'adopt'
      ? plan.changes.map((c) => c.path || '(whole spec)')
      : [`(${plan.action})`];
  for (const name of names) {
    if (fields.length >= MAX_FIELDS) return;
    if (!fields.includes(name)) fields.push(name);
  }
}

/** How a hot loop reads in a condition's message. */
export function describeLoop(loop: HotLoop | undefined): string | undefined {
  if (loop === undefined) return undefined;
  return `applied ${loop.applies} times at one generation; fields that keep changing: ${loop.fields.join(', ') || '(unknown)'}`;
}
