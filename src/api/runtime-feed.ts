import { StatusWriter } from '../cluster/status-writer.js';
import { keyOf, type Resource } from '../contract/resource.js';
import type { Runtime } from '../runtime/index.js';
import type { Change, SpecStore, Write } from '../store/desired/spec-store.js';
import type { StoredObject } from '../store/desired/stored-object.js';
import type { Clock, TimerHandle } from '../time/clock.js';

export interface RuntimeFeedOptions {
  readonly runtime: Pick<Runtime, 'setDesired' | 'updateDesired' | 'status' | 'on'>;
  readonly store: SpecStore;
  readonly clock: Clock;
  /** Statuses are written back at most this often. Default 100 ms. */
  readonly flushMs?: number;
  /** A change the runtime refused (it should not: the store checks by the same rules). */
  readonly onRefused?: (errors: readonly string[]) => void;
  /** A status write-back failed. */
  readonly onError?: (error: unknown) => void;
  /**
   * Whether the runtime has a provider for a kind. Objects of other kinds (stored while a
   * provider served them, say) are left out of its desired set, and reported to `onUnserved`,
   * rather than have the whole set refused.
   */
  readonly serves?: (kind: string) => boolean;
  readonly onUnserved?: (keys: readonly string[]) => void;
}

export interface RuntimeFeed {
  /** The keys of the desired set handed to the runtime. */
  keys(): string[];
  /** Resolves once every change committed so far is handed over and every status written. */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Keep a runtime's desired set what a {@link SpecStore} holds, and write each resource's status
 * back to it: the store's committed changes go to `updateDesired` as they commit (a change of
 * status or labels alone is not a change of the desired set), and the runtime's status, when
 * it changed, goes to the status subresource with the store's generation the runtime acted on
 * as `observedGeneration`.
 *
 * Starts by handing over the whole store with `setDesired` (the caller checks what it prunes
 * first, as for any set). Resolves once that is done; rejects with the runtime's errors when it
 * refuses the set.
 */
export async function feedRuntime(options: RuntimeFeedOptions): Promise<RuntimeFeed> {
  const { runtime, store, clock } = options;
  const writer = new StatusWriter(
    'local',
    (key) => runtime.status(key),
    () => 0,
  );
  const serves = options.serves ?? (() => true);
  const servable = (objects: readonly StoredObject[]) => {
    const unserved = objects.filter((o) => !serves(o.resource.kind)).map((o) => keyOf(o.resource));
    if (unserved.length > 0) options.onUnserved?.(unserved);
    return objects.filter((o) => serves(o.resource.kind));
  };
  const listed = await store.list();
  const items = servable(listed.items);
  let cursor = listed.resourceVersion;
  const fed = writer.fed;
  const accepted = runtime.setDesired(items.map((o) => o.resource));
  if (!accepted.ok) throw new Error(accepted.errors.map((e) => e.message).join('; '));
  for (const o of items) fed.set(keyOf(o.resource), o.generation);

  const offs = (['reconcile:done', 'degraded', 'resource:synced', 'action:failed', 'recovered'] as const).map(
    (event) => runtime.on(event, (e: { key: string }) => schedule(e.key)),
  );
  let timer: TimerHandle | undefined;
  let writing: Promise<void> | undefined;
  let stopped = false;
  function schedule(key: string): void {
    writer.mark(key);
    if (timer === undefined && !stopped)
      timer = clock.setTimeout(() => void writeBack(), options.flushMs ?? 100);
  }

  async function writeBack(): Promise<void> {
    timer = undefined;
    while (writing) await writing;
    const rows = [...writer.take().values()].flat().filter((row) => fed.has(row.key));
    if (rows.length === 0) return;
    writing = store
      .transact(async () => ({
        writes: rows.map(
          (row): Write => ({
            op: 'status',
            key: row.key,
            status: row.status,
            ...(row.observedGeneration === undefined ? {} : { observedGeneration: row.observedGeneration }),
          }),
        ),
        result: undefined,
      }))
      .then(
        () => {},
        (error: unknown) => {
          writer.retry(rows);
          options.onError?.(error);
        },
      )
      .finally(() => {
        writing = undefined;
      });
    await writing;
  }

  let pulling: Promise<void> | undefined;
  let again = false;
  const pull = (): Promise<void> => {
    if (pulling) {
      again = true;
      return pulling;
    }
    pulling = (async () => {
      do {
        again = false;
        const changes = await store.changesSince(cursor);
        if (changes === 'gone') {
          await resync();
          continue;
        }
        if (changes.length === 0) continue;
        cursor = (changes[changes.length - 1] as Change).object.resourceVersion;
        hand(changes);
      } while (again && !stopped);
    })().finally(() => {
      pulling = undefined;
    });
    return pulling;
  };

  /** Hand the runtime what changed in its desired set. */
  function hand(changes: readonly Change[]): void {
    const set = new Map<string, { resource: Resource; generation: number }>();
    const remove = new Set<string>();
    for (const change of changes) {
      const key = keyOf(change.object.resource);
      if (change.type !== 'DELETED' && servable([change.object]).length === 0) continue;
      if (change.type === 'DELETED') {
        set.delete(key);
        remove.add(key);
      } else if (fed.get(key) !== change.object.generation || remove.has(key)) {
        remove.delete(key);
        set.set(key, { resource: change.object.resource, generation: change.object.generation });
      }
    }
    const goneKeys = [...remove].filter((key) => fed.has(key));
    if (set.size === 0 && goneKeys.length === 0) return;
    const result = runtime.updateDesired({ set: [...set.values()].map((s) => s.resource), remove: goneKeys });
    if (!result.ok) {
      options.onRefused?.(result.errors.map((e) => e.message));
      return;
    }
    for (const [key, { generation }] of set) fed.set(key, generation);
    for (const key of goneKeys) fed.delete(key);
  }

  /** Fell behind the store's log: hand over the whole set again. */
  async function resync(): Promise<void> {
    const now = await store.list();
    const objects = servable(now.items);
    const accepted = runtime.setDesired(objects.map((o) => o.resource));
    if (!accepted.ok) {
      options.onRefused?.(accepted.errors.map((e) => e.message));
      return;
    }
    fed.clear();
    for (const o of objects) fed.set(keyOf(o.resource), o.generation);
    writer.forgetAbsent();
    cursor = now.resourceVersion;
  }

  const off = store.onCommit(() => void pull());
  await pull();

  return {
    keys: () => [...fed.keys()],
    async flush() {
      await pull();
      if (timer !== undefined) {
        clock.clearTimeout(timer);
        timer = undefined;
      }
      await writeBack();
    },
    async stop() {
      stopped = true;
      off();
      for (const o of offs) o();
      if (timer !== undefined) clock.clearTimeout(timer);
      await pulling;
      await writing;
    },
  };
}
