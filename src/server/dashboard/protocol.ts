/**
 * What the dashboard's page and the status server say to each other: types only, read by both
 * sides (the page is bundled from `dashboard/`, the server is in this folder).
 *
 * | request | answers |
 * |---------|---------|
 * | `GET /` | the page (`index.html`), with a Content-Security-Policy that allows only its own origin |
 * | `GET /assets/app.js`, `/assets/app.css` | the page's bundle |
 * | `GET /dashboard/feed` | Server-Sent Events: `snapshot`, then `changes` and `overview` as they happen |
 * | `GET /dashboard/resource?key=K` | {@link ResourceDetail} as JSON; 404 for an unknown key |
 * | `POST /dashboard/reconcile` | body `{"key": K}`: reconcile it now; {@link ActionAnswer} |
 * | `POST /deletions/approve` | body `{"keys": [...]}` or none: release held deletions |
 *
 * Reads need the bearer token only when the server says so (`reads: 'token'`); actions always
 * need it when one is set (401 without it), and without one only a loopback listener takes them.
 * The feed is read with `fetch` (so it can carry the token), not `EventSource`.
 */

/** A resource's flags in a {@link Row}, as bits. */
export const ROW_READY = 1;
export const ROW_SYNCED = 2;
export const ROW_PROGRESSING = 4;
export const ROW_DEGRADED = 8;
export const ROW_HOT_LOOP = 16;
/** Left the desired set; its delete is held by the deletion budget until approved. */
export const ROW_HELD = 32;
export const ROW_ROLLED_BACK = 64;

/**
 * One resource as the table shows it: an array, not an object, so that 100,000 of them are a
 * few megabytes on the wire. Only what changes rarely is here (never the next tick's time), so a
 * resource that stays in sync sends nothing.
 */
export type Row = readonly [
  key: string,
  kind: string,
  name: string,
  phase: string,
  /** The Ready condition's reason (`Synced`, `BackingOff`, `NodeUnreachable`, …). */
  reason: string,
  /** `ROW_*` bits. */
  flags: number,
  /** Failures since the last success. */
  attempts: number,
  generation: number,
  observedGeneration: number,
  /** Actor restarts after crashes. */
  restarts: number,
  /** The last error, cut to 200 characters; `''` when none. */
  error: string,
  /** What last happened to it, as its timeline says (`drift: 1 field changed outside`); `''` when unknown. */
  event: string,
  /** When that was (ms since the epoch); 0 when unknown. */
  eventAt: number,
];

/** Index of each field in a {@link Row}. */
export const R = {
  key: 0,
  kind: 1,
  name: 2,
  phase: 3,
  reason: 4,
  flags: 5,
  attempts: 6,
  generation: 7,
  observedGeneration: 8,
  restarts: 9,
  error: 10,
  event: 11,
  eventAt: 12,
} as const;

/** The first event of every feed: every resource, and the overview. */
export interface SnapshotEvent {
  /** Grows by one per event of this feed. */
  readonly seq: number;
  /** Server time (ms since the epoch) it was taken. */
  readonly at: number;
  readonly rows: readonly Row[];
  readonly overview: Overview;
}

/** What changed since the last event, sent at most four times a second. */
export interface ChangesEvent {
  readonly seq: number;
  readonly at: number;
  /** Rows that are new or changed: replace the row with the same key. */
  readonly rows: readonly Row[];
  /** Keys no longer in the runtime. */
  readonly removed: readonly string[];
}

/** Sent when any of it changed (at most once a second), whole. */
export interface OverviewEvent {
  readonly seq: number;
  readonly at: number;
  readonly overview: Overview;
}

export type FeedEventName = 'snapshot' | 'changes' | 'overview';

export interface Overview {
  /** `running`, `stopping`, `failed`, … */
  readonly state: string;
  readonly ready: boolean;
  /** Whether this page may act: `true` when actions are open to it without a token. */
  readonly actionsOpen: boolean;
  /** Whether the server has a token at all (the page then offers to enter it). */
  readonly tokenSet: boolean;
  readonly tree: TreeSummary | undefined;
  readonly held: readonly HeldRow[];
  /** Resources in a hot loop now, with what keeps changing. */
  readonly hotLoops: readonly { readonly key: string; readonly fields: string }[];
  /** PostgreSQL store only: the group as the database holds it. */
  readonly group: GroupSummary | undefined;
  /** Anything else the server reports (`sources`, `nodes`, `instance`, `shards`, `config`, …). */
  readonly details: Readonly<Record<string, unknown>>;
}

export interface HeldRow {
  readonly key: string;
  readonly kind: string;
  /** When it was held (ms since the epoch). */
  readonly since: number;
}

/** The supervision tree, summed up: 100,000 workers are not drawn one by one. */
export interface TreeSummary {
  readonly id: string;
  readonly strategy: string;
  readonly state: string;
  /** Restarts the root supervisor carried out. */
  readonly restarts: number;
  /** Every supervisor under the root (one per kind), depth first. */
  readonly supervisors: readonly SupervisorSummary[];
}

export interface SupervisorSummary {
  readonly id: string;
  readonly state: string;
  readonly strategy: string;
  /** Restarts of its children, summed. */
  readonly restarts: number;
  readonly children: number;
  readonly running: number;
  /** Children restarted at least once, most restarts first, at most 20. */
  readonly restarted: readonly { readonly id: string; readonly restarts: number; readonly state: string }[];
}

export interface GroupSummary {
  readonly members: readonly {
    readonly id: string;
    readonly live: boolean;
    readonly shards: number;
    readonly heartbeatAgoS: number;
  }[];
  readonly shards: readonly {
    readonly shard: number;
    readonly owner: string | null;
    readonly epoch: number;
    readonly expired: boolean;
  }[];
}

/** One entry of a resource's timeline. */
export interface TimelineEntry {
  readonly at: number;
  /** The runtime's event name (`action:applied`, `drift`, `degraded`, …). */
  readonly event: string;
  /** One line for a person: `update applied in 12 ms`, `drift: 2 fields (enforce)`. */
  readonly text: string;
  /** `info`, `warn` or `error`: how the page colours it. */
  readonly level: 'info' | 'warn' | 'error';
}

/** A field change of a plan, as the page draws it: `path: old → new`. */
export interface PlanLine {
  readonly path: string;
  /** JSON of the value now; absent when the field is new. */
  readonly old?: string;
  /** JSON of the value wanted; absent when the field is removed. */
  readonly new?: string;
}

export interface ResourceDetail {
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  readonly phase: string;
  readonly conditions: readonly {
    readonly type: string;
    readonly status: boolean;
    readonly reason: string;
    readonly message?: string;
  }[];
  readonly generation: number;
  readonly observedGeneration: number;
  readonly attempts: number;
  readonly restarts: number;
  readonly rolledBack: boolean;
  readonly origin?: string;
  readonly lastError?: string;
  readonly lastReconcileAt?: number;
  readonly nextReconcileAt?: number;
  /** The current plan: `undefined` when in sync. */
  readonly plan?: { readonly action: string; readonly lines: readonly PlanLine[] };
  /** Held by the deletion budget since (ms since the epoch). */
  readonly heldSince?: number;
  /** Recent events, oldest first (from the server's ring of recent events). */
  readonly timeline: readonly TimelineEntry[];
  /** Server time of this answer, to show "in 3 s" for `nextReconcileAt`. */
  readonly now: number;
}

/** What an action answers. */
export interface ActionAnswer {
  readonly ok: boolean;
  readonly message: string;
}
