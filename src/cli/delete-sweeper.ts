import type { Runtime } from '../runtime/index.js';

export interface DeleteSweeper {
  /** Retry now every stuck delete that something has been deleted since. */
  sweep(): void;
  stop(): void;
}

/**
 * Retries deletes that failed for good once something else is gone.
 *
 * A delete that fails with a `PermanentError` is not retried by its actor. Usually that is
 * right, but one reason is an order the runtime cannot know: resources pruned from the
 * inventory carry no `dependsOn`, so a directory may be tried before the files in it ("not
 * empty"). So each time a resource is deleted, every delete stuck since then is tried once
 * more. Each retry needs a new deletion first, so this always ends.
 */
export function sweepStuckDeletes(runtime: Runtime): DeleteSweeper {
  let deletions = 0;
  /** Stuck key -> the deletion count when it was last tried. */
  const stuck = new Map<string, number>();
  /** Key -> the deletion count when the sweeper last retried it. */
  const tried = new Map<string, number>();

  const sweep = () => {
    for (const [key, since] of stuck) {
      if (deletions <= since) continue;
      if (runtime.status(key)?.phase !== 'deleteBackoff') continue; // still busy, or gone
      stuck.delete(key);
      tried.set(key, deletions);
      runtime.reconcile(key);
    }
  };
  const offs = [
    runtime.on('resource:deleted', (e) => {
      deletions++;
      stuck.delete(e.key);
      tried.delete(e.key);
      queueMicrotask(sweep);
    }),
    runtime.on('action:failed', (e) => {
      if (e.operation !== 'delete' || !e.permanent) return;
      stuck.set(e.key, tried.get(e.key) ?? 0);
      queueMicrotask(sweep); // once the failure's transition is over
    }),
  ];
  return {
    sweep,
    stop() {
      for (const off of offs) off();
    },
  };
}
