import type { ServerResponse } from 'node:http';
import { redact } from '../../contract/redact.js';
import type { HeldDeletion, ResourceStatus, Runtime, RuntimeEvents } from '../../runtime/index.js';
import type { Clock, TimerHandle } from '../../time/clock.js';
import { redactedJson } from '../redact-json.js';
import { summarizeTree } from './overview.js';
import type { ChangesEvent, FeedEventName, GroupSummary, Overview, Row, TimelineEntry } from './protocol.js';
import { hotLoopOf, quietPass, rowOf, sameRow } from './rows.js';

/** How often changed rows are sent: at most four batches a second, whatever the rate of change. */
export const FLUSH_MS = 250;
/** How often the overview (tree, held deletions, details) is looked at again. */
export const OVERVIEW_MS = 1000;
/** How often every resource is looked at again, in case a change came without an event. */
export const SWEEP_MS = 15_000;
/** A page that leaves this much unread (or twice its snapshot, if more) is cut off; it reconnects. */
const MAX_UNREAD_BYTES = 16 * 1024 * 1024;
const KEEPALIVE_MS = 15_000;

export interface FeedOptions {
  readonly runtime: Pick<Runtime, 'status' | 'tree' | 'heldDeletions' | 'on' | 'state'>;
  readonly clock: Clock;
  readonly ready: () => boolean;
  readonly details?: () => Record<string, unknown>;
  /** The group as the database holds it (PostgreSQL store), read at most every 2 s. */
  readonly group?: () => Promise<GroupSummary | undefined>;
  /** Values hidden wherever they appear (the config's secrets, the token). */
  readonly secrets: () => readonly string[];
  readonly access: Pick<Overview, 'actionsOpen' | 'tokenSet'>;
  /** What last happened to a resource, for its row. */
  readonly last: (key: string) => TimelineEntry | undefined;
}

/** The events after which a resource's row may read differently. */
const ROW_EVENTS = [
  'action:applied',
  'action:failed',
  'resource:synced',
  'resource:adopted',
  'resource:deleted',
  'drift',
  'degraded',
  'resource:unhealthy',
  'hotloop',
  'hotloop:ended',
  'recovered',
  'plan:computed',
  'actor:crashed',
  'actor:crashloop',
  'actor:restarted',
] as const satisfies readonly (keyof RuntimeEvents)[];

/**
 * The dashboard's live feed: one model of the rows the pages have, shared by every page that
 * watches, kept only while one does. Events name the resources that may have changed; every
 * {@link FLUSH_MS} their rows are read again and those that differ are sent to every page in one
 * `changes` event. A pass that finds a synced resource in sync (most passes) costs a comparison.
 */
export class DashboardFeed {
  readonly #o: FeedOptions;
  readonly #pages = new Set<ServerResponse>();
  readonly #rows = new Map<string, Row>();
  readonly #hot = new Map<string, string>();
  readonly #dirty = new Set<string>();
  #sweep = true;
  #seq = 0;
  #overviewText = '';
  #overviewAt = -Infinity;
  #sweptAt = -Infinity;
  #wroteAt = 0;
  #limit = MAX_UNREAD_BYTES;
  #off: (() => void)[] = [];
  #timer: TimerHandle | undefined;
  /** The tree and readiness as last read: reading them costs a walk over every resource. */
  #tree: Overview['tree'];
  #ready = false;
  #treeStale = true;
  #readyStale = true;
  #group: GroupSummary | undefined;
  #groupAt = -Infinity;
  #groupBusy = false;

  constructor(options: FeedOptions) {
    this.#o = options;
  }

  /** Pages watching now. */
  get pages(): number {
    return this.#pages.size;
  }

  /** Start a page's stream on `res`: every row and the overview now, then what changes. */
  attach(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    if (this.#pages.size === 0) this.#start();
    this.#flush(); // bring the model up to now, for the pages already watching too
    this.#pages.add(res);
    res.on('close', () => {
      this.#pages.delete(res);
      if (this.#pages.size === 0) this.#stop();
    });
    const rows = JSON.stringify([...this.#rows.values()]);
    const text = frame(
      'snapshot',
      `{"seq":${this.#seq},"at":${this.#o.clock.now()},"rows":${rows},"overview":${this.#overviewText}}`,
    );
    this.#limit = Math.max(this.#limit, 2 * text.length);
    res.write(text);
  }

  /** End every page's stream and stop listening. */
  close(): void {
    for (const res of this.#pages) res.end();
    this.#pages.clear();
    this.#stop();
  }

  #start(): void {
    const { runtime } = this.#o;
    const touch = (e: { key: string }) => void this.#dirty.add(e.key);
    this.#off = [
      ...ROW_EVENTS.map((name) => runtime.on(name, touch)),
      runtime.on('reconcile:done', (e) => {
        const row = this.#rows.get(e.key);
        if (e.result !== 'in-sync' || row === undefined || !quietPass(row, e.generation))
          this.#dirty.add(e.key);
      }),
      runtime.on('deletion:held', (e) => this.#touchAll(e.keys)),
      runtime.on('deletion:approved', (e) => this.#touchAll(e.keys)),
      // A changed spec is followed by its resource's own events (a pass at the new generation);
      // a resource that joined or left the set may not be: then every resource is read again.
      runtime.on('desired:accepted', (e) => {
        if (e.added > 0 || e.removed > 0) this.#sweep = true;
      }),
      ...(['actor:crashed', 'actor:restarted', 'supervisor:escalated', 'runtime:failed'] as const).map(
        (name) =>
          runtime.on(name, () => {
            this.#treeStale = true;
          }),
      ),
    ];
    this.#sweep = true;
    this.#treeStale = true;
    this.#readyStale = true;
    this.#overviewAt = -Infinity;
    this.#arm();
  }

  #stop(): void {
    for (const off of this.#off.splice(0)) off();
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#rows.clear();
    this.#hot.clear();
    this.#dirty.clear();
    this.#overviewText = '';
    this.#limit = MAX_UNREAD_BYTES;
  }

  #arm(): void {
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#pages.size === 0) return;
      this.#flush();
      this.#arm();
    }, FLUSH_MS);
  }

  #touchAll(keys: readonly string[]): void {
    for (const key of keys) this.#dirty.add(key);
  }

  /** Read the rows that may have changed (all of them on a sweep) and send what differs. */
  #flush(): void {
    const { runtime, clock } = this.#o;
    const now = clock.now();
    const heldList = runtime.heldDeletions();
    const held = new Set(heldList.map((h) => h.key));
    const secrets = this.#o.secrets();
    const hide = secrets.length === 0 ? (text: string) => text : (text: string) => redact(text, secrets);
    const rows: Row[] = [];
    const removed: string[] = [];
    if (this.#sweep || now - this.#sweptAt >= SWEEP_MS) {
      this.#sweep = false;
      this.#sweptAt = now;
      this.#treeStale = true;
      this.#readyStale = true;
      this.#dirty.clear();
      const seen = new Set<string>();
      for (const s of runtime.status()) {
        seen.add(s.key);
        this.#see(s, held, rows, hide);
      }
      for (const key of this.#rows.keys()) if (!seen.has(key)) removed.push(key);
    } else {
      for (const key of this.#dirty) {
        const s = runtime.status(key);
        if (s !== undefined) this.#see(s, held, rows, hide);
        else if (this.#rows.has(key)) removed.push(key);
      }
      this.#dirty.clear();
    }
    for (const key of removed) {
      this.#rows.delete(key);
      this.#hot.delete(key);
    }
    if (rows.length > 0 || removed.length > 0) {
      if (!this.#ready) this.#readyStale = true; // not ready yet: it may be now
      const event: ChangesEvent = { seq: ++this.#seq, at: now, rows, removed };
      if (this.#pages.size > 0) this.#send('changes', JSON.stringify(event));
    }
    if (now - this.#overviewAt >= OVERVIEW_MS) {
      this.#overviewAt = now;
      const text = redactedJson(this.#overview(heldList), secrets);
      if (text !== this.#overviewText) {
        this.#overviewText = text;
        this.#send('overview', `{"seq":${++this.#seq},"at":${now},"overview":${text}}`);
      }
    }
    if (this.#pages.size > 0 && now - this.#wroteAt >= KEEPALIVE_MS) this.#write(': keepalive\n\n');
  }

  #see(s: ResourceStatus, held: ReadonlySet<string>, changed: Row[], hide: (text: string) => string): void {
    const row = rowOf(s, held.has(s.key), this.#o.last(s.key), hide);
    const before = this.#rows.get(s.key);
    if (before !== undefined && sameRow(before, row)) return;
    this.#rows.set(s.key, row);
    changed.push(row);
    const hot = hotLoopOf(s);
    if (hot === undefined) this.#hot.delete(s.key);
    else this.#hot.set(s.key, hide(hot));
  }

  #overview(held: readonly HeldDeletion[]): Overview {
    const { runtime, clock } = this.#o;
    this.#readGroup(clock.now());
    if (this.#treeStale) {
      this.#treeStale = false;
      this.#tree = summarizeTree(runtime.tree());
    }
    if (this.#readyStale) {
      this.#readyStale = false;
      this.#ready = this.#o.ready();
    }
    return {
      state: runtime.state,
      ready: this.#ready,
      ...this.#o.access,
      tree: this.#tree,
      held: held.map((h) => ({ key: h.key, kind: h.kind, since: h.since })),
      hotLoops: [...this.#hot].map(([key, fields]) => ({ key, fields })),
      group: this.#group,
      details: this.#o.details?.() ?? {},
    };
  }

  /** Ask the database for the group again, at most every 2 s; the next overview shows it. */
  #readGroup(now: number): void {
    const read = this.#o.group;
    if (read === undefined || this.#groupBusy || now - this.#groupAt < 2000) return;
    this.#groupBusy = true;
    this.#groupAt = now;
    read()
      .then((group) => {
        this.#group = group;
      })
      .catch(() => {
        this.#group = undefined; // the page shows no group rather than an old one
      })
      .finally(() => {
        this.#groupBusy = false;
      });
  }

  #send(event: FeedEventName, data: string): void {
    this.#write(frame(event, data));
  }

  #write(text: string): void {
    this.#wroteAt = this.#o.clock.now();
    for (const res of this.#pages) {
      if (res.writableEnded || res.destroyed) continue;
      res.write(text);
      if (res.writableLength > this.#limit) res.end(); // too far behind: it reconnects and resyncs
    }
  }
}

function frame(event: FeedEventName, data: string): string {
  return `event: ${event}\ndata: ${data}\n\n`;
}
