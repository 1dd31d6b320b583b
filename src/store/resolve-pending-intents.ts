import { parseKey } from '../contract/resource.js';
import type { Intent, StateStore } from './state-store.js';

/** An intent recovery could not resolve this time: it stays pending, for the next start. */
export interface UnresolvedIntent {
  readonly id: string;
  readonly op: Intent['op'];
  readonly key: string;
  /** Why: the provider's error, or what is missing to look the object up. */
  readonly reason: string;
}

/** What recovery did, by count of intents, and what it left pending. */
export interface RecoverySummary {
  /** Creates whose object exists: recorded in the inventory (origin `created`). */
  readonly adopted: number;
  /** Intents left for the actor to carry out again: creates and deletes that did not happen, and updates. */
  readonly retried: number;
  /** Deletes whose object is gone: removed from the inventory. */
  readonly forgotten: number;
  /** Intents left pending (the object could not be observed); the next start tries them again. */
  readonly unresolved: readonly UnresolvedIntent[];
}

/**
 * Whether the object an intent is about exists now. Usually the provider's `observe`, given
 * the intent's spec (or, for an intent written without one, the inventory's last-applied spec).
 * Throwing means "cannot tell now": the intent stays pending.
 */
export type ObserveIntent = (intent: Intent) => Promise<'present' | 'absent'>;

/**
 * The recovery step the runtime runs at start, before any actor: resolve every intent a crash
 * left pending by looking at the world.
 *
 * | pending intent | object is | what happens | counted as |
 * |---|---|---|---|
 * | create | present | recorded in the inventory as `created` with the intent's spec; settled done | adopted |
 * | create | absent  | settled failed; the actor creates it | retried |
 * | delete | absent  | forgotten (if still there); settled done | forgotten |
 * | delete | present | kept in the inventory, or put back (origin `created`, the intent's spec) if the crash came after it was forgotten; settled failed; the object is deleted again | retried |
 * | update | either  | settled failed; the actor re-observes and applies what still differs | retried |
 * | delete without a spec, key no longer in the inventory | not observed | settled done: the entry is forgotten only after the delete succeeded | forgotten |
 * | any    | cannot be observed (`observe` throws) | left pending, listed in `unresolved` | — |
 *
 * Without this, a crash after a create and before its record would leak the object (it
 * exists, but nothing owns it, so it is never pruned) or, worse, create it twice.
 *
 * Intents are resolved one at a time, oldest first. Recovery never rejects because of one
 * intent: those it cannot resolve now stay pending (a provider that is down, a kind no provider
 * serves any more) and are returned in `unresolved`; a later run resolves them. Only a failing
 * store write rejects.
 */
export async function resolvePendingIntents(
  store: StateStore,
  observe: ObserveIntent,
  /** Resolve only the intents of these keys (an instance sharing the work: the keys it owns). */
  only: (key: string) => boolean = () => true,
): Promise<RecoverySummary> {
  let adopted = 0;
  let retried = 0;
  let forgotten = 0;
  const unresolved: UnresolvedIntent[] = [];
  for (const intent of store.pendingIntents()) {
    if (!only(intent.key)) continue;
    const entry = store.get(intent.key);
    if (intent.op === 'delete' && intent.spec === undefined && entry === undefined) {
      // Written by an older version, without a spec; the entry goes only once the delete is done.
      await store.settle(intent.id, 'done');
      forgotten++;
      continue;
    }
    let seen: 'present' | 'absent';
    try {
      seen = await observe(intent);
      if (seen !== 'present' && seen !== 'absent') {
        throw new TypeError(`Expected observe to return 'present' or 'absent', got \`${String(seen)}\``);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      unresolved.push({ id: intent.id, op: intent.op, key: intent.key, reason });
      continue;
    }
    const { kind, name } = parseKey(intent.key);
    if (intent.op === 'create' && seen === 'present') {
      if (!entry)
        await store.record({ key: intent.key, kind, name, origin: 'created', lastApplied: intent.spec });
      await store.settle(intent.id, 'done');
      adopted++;
    } else if (intent.op === 'delete' && seen === 'absent') {
      await store.forget(intent.key);
      await store.settle(intent.id, 'done');
      forgotten++;
    } else {
      if (intent.op === 'delete' && !entry) {
        // It is still there and was ours to delete: own it again, so a prune finishes the job.
        await store.record({ key: intent.key, kind, name, origin: 'created', lastApplied: intent.spec });
      }
      await store.settle(intent.id, 'failed');
      retried++;
    }
  }
  return { adopted, retried, forgotten, unresolved };
}
