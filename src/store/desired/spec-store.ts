import type { Resource } from '../../contract/resource.js';
import type { DesiredView } from '../../diff/desired-change.js';
import type { StoredObject } from './stored-object.js';

/** What a committed write did to one key. */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * One committed write of one key. `object.resourceVersion` is the write's version; for
 * `DELETED`, the object is as it was last, at the version of its removal.
 */
export interface Change {
  readonly type: ChangeType;
  readonly object: StoredObject;
}

/** A write inside a transaction. */
export type Write =
  /** Create or replace the resource and its labels, as `source` declares it. */
  | {
      readonly op: 'put';
      readonly resource: Resource;
      readonly labels: Readonly<Record<string, string>>;
      readonly source: string;
    }
  /** Write the status subresource; `observedGeneration` undefined keeps the one there. */
  | {
      readonly op: 'status';
      readonly key: string;
      readonly status: Readonly<Record<string, unknown>>;
      readonly observedGeneration?: number;
    }
  | { readonly op: 'delete'; readonly key: string };

/** What a transaction reads, consistent with its writes (no other write commits in between). */
export interface SpecView {
  get(key: string): Promise<StoredObject | undefined>;
  /** Every stored object of `source`. */
  ofSource(source: string): Promise<StoredObject[]>;
  /**
   * The desired set as the rules need it to check a change that sets `set` and removes
   * `remove`: what the set's dependencies reach, and who depends on what it removes.
   */
  rulesView(set: readonly Resource[], remove: readonly string[]): Promise<DesiredView>;
}

/**
 * Where the desired-state API keeps its objects: the embedded store (files in the state
 * directory, for one instance) or PostgreSQL (for a group). Both give every committed write a
 * version from one counter, in commit order, and keep the recent changes for watchers.
 */
export interface SpecStore {
  readonly backend: 'embedded' | 'postgres';
  get(key: string): Promise<StoredObject | undefined>;
  /** Every object (of `kind`), by key, and the version the list is consistent with. */
  list(kind?: string): Promise<{ items: StoredObject[]; resourceVersion: number }>;
  /**
   * Under the store's write lock, `decide` reads and returns the writes to make; they commit
   * together, or not at all when it throws. Resolves once durable, with a change for each key
   * that changed (a write that changes nothing makes none).
   */
  transact<T>(decide: (view: SpecView) => Promise<{ writes: readonly Write[]; result: T }>): Promise<{
    changes: Change[];
    result: T;
  }>;
  /**
   * The committed changes after `version`, in version order (at most `limit`), or `gone` when
   * some of them are compacted away: a watcher then lists again.
   */
  changesSince(version: number, limit?: number): Promise<Change[] | 'gone'>;
  /** `listener` runs when a write may have committed (see `changesSince`). */
  onCommit(listener: () => void): () => void;
  /** The version of the last committed write (0: none yet). */
  version(): Promise<number>;
  close(): Promise<void>;
}

/** The index of the first change after `version` (changes are in version order). */
export function firstAfter(changes: readonly Change[], version: number): number {
  let lo = 0;
  let hi = changes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((changes[mid] as Change).object.resourceVersion <= version) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
