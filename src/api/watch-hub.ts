import { type Change, firstAfter, type SpecStore } from '../store/desired/spec-store.js';
import type { Clock, TimerHandle } from '../time/clock.js';
import { ApiError, apiError } from './api-error.js';
import type { ApiObject, StoredObject } from './objects.js';
import type { Watch, WatchEvent, WatchOptions } from './watch-events.js';

export type { Watch, WatchEvent, WatchOptions };

const tooOld = (version: number) =>
  apiError(
    'Gone',
    `resource version ${version} is too old to resume from: list again, and watch from the list's resourceVersion`,
    { field: 'resourceVersion' },
  );

export interface WatchHubOptions {
  readonly store: SpecStore;
  readonly clock: Clock;
  readonly render: (object: StoredObject) => ApiObject;
  /** A bookmark to every watcher this often. Default 10 s. */
  readonly heartbeatMs?: number;
  /** Recent changes kept in memory for watchers to catch up from. Default 4,096. */
  readonly ring?: number;
}

interface Watcher {
  cursor: number;
  live: boolean;
  closed: boolean;
  readonly filter: (object: StoredObject) => boolean;
  readonly send: (events: readonly WatchEvent[]) => void;
}

/**
 * One reader of the store's changes for any number of watchers: on each commit it reads what
 * is new once, keeps the recent changes in memory, and hands each watcher what it has not seen,
 * in version order. A watcher resuming from an older version catches up from the store first;
 * one whose version the store has compacted away is refused with `Gone` (410): list again.
 *
 * With no watcher it reads nothing: it goes idle, and the first watch after wakes it at the
 * store's version (the watch catches up from the store to there). An instance of a group whose
 * API nobody watches then pays nothing for the other instances' writes.
 */
export class WatchHub {
  readonly #options: WatchHubOptions;
  readonly #watchers = new Set<Watcher>();
  /** Every change after `#base` up to `#cursor` is in `#ring`, in order. */
  #ring: Change[] = [];
  #base = 0;
  #cursor = 0;
  #pulling: Promise<void> | undefined;
  #again = false;
  #timer: TimerHandle | undefined;
  #off: (() => void) | undefined;
  #closed = false;
  /** No watcher, so nothing is read: `#ring` is empty, `#base` and `#cursor` are stale. */
  #idle = true;
  #waking: Promise<void> | undefined;
  /** Watches started and not yet added: the hub must not go idle under them. */
  #starting = 0;
  readonly #events = new WeakMap<Change, WatchEvent>();

  private constructor(options: WatchHubOptions) {
    this.#options = options;
  }

  static async start(options: WatchHubOptions): Promise<WatchHub> {
    const hub = new WatchHub(options);
    hub.#off = options.store.onCommit(() => hub.pull());
    hub.#arm();
    return hub;
  }

  get watchers(): number {
    return this.#watchers.size;
  }

  /** Start a watch; rejects with `Gone` when `from` is compacted away. */
  async watch(options: WatchOptions): Promise<Watch> {
    this.#starting++;
    try {
      await this.#wake();
      return await this.#start(options);
    } finally {
      this.#starting--;
    }
  }

  /** Idle: start reading again, from the store's version now. */
  async #wake(): Promise<void> {
    if (!this.#idle) return;
    this.#waking ??= (async () => {
      await this.#pulling; // the pull that went idle, if it has not ended
      await this.#rebase();
      this.#idle = false;
    })().finally(() => {
      this.#waking = undefined;
    });
    await this.#waking;
    await this.pull(); // what committed while it woke
  }

  async #start(options: WatchOptions): Promise<Watch> {
    const watcher: Watcher = {
      cursor: 0,
      live: false,
      closed: false,
      filter: options.filter ?? (() => true),
      send: options.send,
    };
    if (options.from === undefined) {
      const { items, resourceVersion } = await this.#options.store.list();
      watcher.cursor = resourceVersion;
      const added = items.filter(watcher.filter).map(
        (o): WatchEvent => ({
          type: 'ADDED',
          resourceVersion: o.resourceVersion,
          object: this.#options.render(o),
          initial: true,
        }),
      );
      if (added.length > 0) watcher.send(added);
    } else {
      // Whether the store still has every change after it: else the client lists again.
      if ((await this.#options.store.changesSince(options.from, 1)) === 'gone') throw tooOld(options.from);
      watcher.cursor = options.from;
    }
    this.#watchers.add(watcher);
    try {
      await this.#catchUp(watcher, options.from !== undefined);
    } catch (error) {
      this.#watchers.delete(watcher);
      throw error;
    }
    if (!watcher.closed) watcher.send([{ type: 'BOOKMARK', resourceVersion: watcher.cursor }]);
    return {
      close: () => {
        watcher.closed = true;
        this.#watchers.delete(watcher);
      },
    };
  }

  /** Read what committed since the last pull, and hand it on. Bursts of commits coalesce. */
  pull(): Promise<void> {
    if (this.#idle) return Promise.resolve();
    if (this.#pulling) {
      this.#again = true;
      return this.#pulling;
    }
    this.#pulling = (async () => {
      do {
        this.#again = false;
        if (this.#watchers.size === 0 && this.#starting === 0) {
          this.#idle = true;
          this.#ring = [];
          break;
        }
        const changes = await this.#options.store.changesSince(this.#cursor);
        if (changes === 'gone') {
          await this.#reset();
          continue;
        }
        if (changes.length === 0) continue;
        this.#ring.push(...changes);
        this.#cursor = (changes[changes.length - 1] as Change).object.resourceVersion;
        const limit = this.#options.ring ?? 4096;
        if (this.#ring.length > limit + limit / 4) {
          const dropped = this.#ring.splice(0, this.#ring.length - limit);
          this.#base = (dropped[dropped.length - 1] as Change).object.resourceVersion;
        }
        for (const watcher of this.#watchers) if (watcher.live) this.#deliver(watcher);
      } while (this.#again && !this.#closed);
    })().finally(() => {
      this.#pulling = undefined;
    });
    return this.#pulling;
  }

  close(): void {
    this.#closed = true;
    this.#off?.();
    if (this.#timer !== undefined) this.#options.clock.clearTimeout(this.#timer);
    this.#watchers.clear();
  }

  /** Bring a new watcher up to the hub's version, then let it take the ring's changes live. */
  async #catchUp(watcher: Watcher, resumed: boolean): Promise<void> {
    let first = true;
    while (!watcher.closed && watcher.cursor < this.#base) {
      const changes = await this.#options.store.changesSince(watcher.cursor, 1000);
      if (changes === 'gone') {
        if (first && resumed) throw tooOld(watcher.cursor);
        this.#end(watcher, 'fell too far behind');
        return;
      }
      first = false;
      if (changes.length === 0) break;
      this.#send(watcher, changes);
    }
    watcher.live = true;
    this.#deliver(watcher);
  }

  /** Hand `watcher` the ring's changes after its cursor. */
  #deliver(watcher: Watcher): void {
    if (watcher.closed || watcher.cursor >= this.#cursor) return;
    if (watcher.cursor < this.#base) {
      // Fell behind the ring (it was catching up): catch up from the store again.
      watcher.live = false;
      this.#catchUp(watcher, false).catch((error: unknown) =>
        this.#end(watcher, error instanceof ApiError ? error.message : String(error)),
      );
      return;
    }
    this.#send(watcher, this.#ring.slice(firstAfter(this.#ring, watcher.cursor)));
    watcher.cursor = this.#cursor;
  }

  #send(watcher: Watcher, changes: readonly Change[]): void {
    const events: WatchEvent[] = [];
    for (const change of changes) {
      if (!watcher.filter(change.object)) continue;
      // One event per change, however many watchers get it (and one text of it: see `sse.ts`).
      let event = this.#events.get(change);
      if (event === undefined) {
        event = {
          type: change.type,
          resourceVersion: change.object.resourceVersion,
          object: this.#options.render(change.object),
        };
        this.#events.set(change, event);
      }
      events.push(event);
    }
    const last = changes[changes.length - 1];
    if (last !== undefined) watcher.cursor = last.object.resourceVersion;
    if (events.length > 0 && !watcher.closed) watcher.send(events);
  }

  #end(watcher: Watcher, why: string): void {
    if (watcher.closed) return;
    watcher.send([
      {
        type: 'ERROR',
        resourceVersion: watcher.cursor,
        error: { code: 'Gone', message: `the watch ended: ${why}: list again, and watch from there` },
      },
    ]);
    watcher.closed = true;
    this.#watchers.delete(watcher);
  }

  /** The store compacted past the hub itself: every watcher lists again. */
  async #reset(): Promise<void> {
    for (const watcher of [...this.#watchers]) this.#end(watcher, 'the store compacted past it');
    await this.#rebase();
  }

  /** Start over at the store's version, with nothing in the ring. */
  async #rebase(): Promise<void> {
    const version = await this.#options.store.version();
    this.#ring = [];
    this.#base = version;
    this.#cursor = version;
  }

  #arm(): void {
    this.#timer = this.#options.clock.setTimeout(() => {
      if (this.#closed) return;
      for (const watcher of this.#watchers) {
        if (watcher.live && !watcher.closed)
          watcher.send([{ type: 'BOOKMARK', resourceVersion: watcher.cursor }]);
      }
      this.#arm();
    }, this.#options.heartbeatMs ?? 10_000);
  }
}
