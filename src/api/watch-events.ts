import type { ChangeType } from '../store/desired/spec-store.js';
import type { ApiErrorBody } from './api-error.js';
import type { ApiObject, StoredObject } from './objects.js';

/** What a watcher receives: a change, a bookmark (all seen up to a version), or an error that ends it. */
export type WatchEvent =
  | {
      readonly type: ChangeType;
      readonly resourceVersion: number;
      readonly object: ApiObject;
      /**
       * One of the objects there when a watch without a version started: its version is the
       * object's, not a place in the stream to resume from (the bookmark after them is).
       */
      readonly initial?: true;
    }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: number }
  | { readonly type: 'ERROR'; readonly resourceVersion: number; readonly error: ApiErrorBody };

export interface WatchOptions {
  /**
   * Resume after this version: every committed change after it, in order. Undefined: the
   * objects there are now (as `ADDED`), then every change after.
   */
  readonly from?: number;
  /** Only objects this accepts (a change is judged by the object after it). */
  readonly filter?: (object: StoredObject) => boolean;
  /** Delivers events, in order; never called after `close`. */
  readonly send: (events: readonly WatchEvent[]) => void;
}

export interface Watch {
  close(): void;
}
