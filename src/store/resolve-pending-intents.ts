import { parseKey } from '../contract/resource.js';
import type { Intent, StateStore } from './state-store.js';

/** What recovery did, by count of intents. */
export interface RecoverySummary {
  /** Creates whose object exists: recorded in the inventory (origin `created`). */
  readonly adopted: number;
  /** Intents left for the actor to carry out again: creates and deletes that did not happen, and updates. */
  readonly retried: number;
  /** Deletes whose object is gone: removed from the inventory. */
  readonly forgotten: number;
}

/** Whether the object an intent is about exists now. Usually the provider's `observe`. */
export type ObserveIntent = (intent: Intent) => Promise<'present' | 'absent'>;

/**
 * The recovery step the runtime runs at start, before any actor: resolve every intent a crash
 * left pending by looking at the world.
 *
 * | pending intent | object is | what happens | counted as |
 * |---|---|---|---|
 * | create | present | recorded in the inventory as `created` with the intent's spec; settled done | adopted |
 * | create | absent  | settled failed; the actor creates it | retried |
 * | delete | absent  | forgotten; settled done | forgotten |
 * | delete | present | kept in the inventory; settled failed; the actor deletes it again | retried |
 * | update | either  | settled failed; the actor re-observes and applies what still differs | retried |
 *
 * Without this, a crash after a create and before its record would leak the object (it
 * exists, but nothing owns it, so it is never pruned) or, worse, create it twice.
 *
 * Intents are resolved one at a time, oldest first. If `observe` fails for some, the others
 * are still resolved, those stay pending, and the returned promise rejects with an
 * `AggregateError` naming them: run it again once the provider answers.
 */
export async function resolvePendingIntents(
  store: StateStore,
  observe: ObserveIntent,
): Promise<RecoverySummary> {
  let adopted = 0;
  let retried = 0;
  let forgotten = 0;
  const errors: unknown[] = [];
  const unresolved: string[] = [];
  for (const intent of store.pendingIntents()) {
    let seen: 'present' | 'absent';
    try {
      seen = await observe(intent);
      if (seen !== 'present' && seen !== 'absent') {
        throw new TypeError(`Expected observe to return 'present' or 'absent', got \`${String(seen)}\``);
      }
    } catch (error) {
      errors.push(error);
      unresolved.push(`${intent.op} ${intent.key} (intent ${intent.id})`);
      continue;
    }
    if (intent.op === 'create' && seen === 'present') {
      if (!store.get(intent.key)) {
        const { kind, name } = parseKey(intent.key);
        await store.record({ key: intent.key, kind, name, origin: 'created', lastApplied: intent.spec });
      }
      await store.settle(intent.id, 'done');
      adopted++;
    } else if (intent.op === 'delete' && seen === 'absent') {
      await store.forget(intent.key);
      await store.settle(intent.id, 'done');
      forgotten++;
    } else {
      await store.settle(intent.id, 'failed');
      retried++;
    }
  }
  if (errors.length > 0) {
    throw new AggregateError(
      errors,
      `Could not resolve ${errors.length} pending intent(s), left pending: ${unresolved.join(', ')}`,
    );
  }
  return { adopted, retried, forgotten };
}
