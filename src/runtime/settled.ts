import type { Emitter } from 'nanoevents';
import { keyOf } from '../contract/resource.js';
import type { Entry } from './desired-entry.js';
import type { DesiredTable } from './desired-table.js';
import type { RuntimeEvents } from './events.js';

/**
 * `runtime.settled()`: resolves once every resource of the desired set has finished a pass at
 * its current generation (in sync, failed and backing off, Degraded, crash-looping, waiting for a dependency)
 * and every resource that left it is deleted or blocked; or once the runtime stops running.
 *
 * It does not poll: it looks again on the events that can end a pass or a delete, at most once
 * per microtask. It walks a snapshot of the entries once, resuming where the last look stopped,
 * so waiting for 100,000 first passes is linear, not quadratic; one full look at the end
 * catches entries added meanwhile.
 */
export function settled(
  table: DesiredTable,
  emitter: Emitter<RuntimeEvents>,
  running: () => boolean,
  crashLooping: (key: string) => boolean = () => false,
): Promise<void> {
  const done = (entry: Entry) => entrySettled(table, entry, crashLooping);
  const all = () => {
    for (const entry of table.entries.values()) if (!done(entry)) return false;
    return true;
  };
  if (all()) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const offs: (() => void)[] = [];
    let snapshot = [...table.entries.values()];
    let next = 0;
    let queued = false;
    const look = () => {
      queued = false;
      if (running()) {
        while (next < snapshot.length && done(snapshot[next]!)) next++;
        if (next < snapshot.length) return;
        if (!all()) {
          snapshot = [...table.entries.values()];
          next = 0;
          return;
        }
      }
      for (const off of offs) off();
      resolve();
    };
    const schedule = () => {
      if (queued) return;
      queued = true;
      queueMicrotask(look);
    };
    // Everything that can end a pass, or a delete, says so through one of these.
    const events = [
      'reconcile:done',
      'resource:deleted',
      'action:failed',
      'degraded',
      'runtime:failed',
    ] as const;
    for (const event of events) {
      offs.push(emitter.on(event, schedule));
    }
  });
}

/** Has this entry's resource finished a pass at its current generation (or left for good)? */
function entrySettled(table: DesiredTable, entry: Entry, crashLooping: (key: string) => boolean): boolean {
  const key = keyOf(entry.resource);
  if (table.entries.get(key) !== entry) return true; // gone since
  if (entry.parked) return true; // another instance runs it
  const actor = entry.actor;
  if (!actor) return false;
  if (crashLooping(key)) return true; // Degraded (CrashLoop), waiting for its restart
  if (entry.removed) return actor.phase === 'deleteBackoff';
  return actor.settledAt(entry.generation);
}
