/**
 * The page's state: every row by key, the overview, and the index the table shows (the rows
 * that pass the filters, in the chosen order).
 *
 * Built for 100,000 rows. Each key has a {@link Slot} that holds its current row: a `changes`
 * batch swaps the row in its slot (and keeps the counts by phase and kind up to date), so the
 * cost of a batch is the size of the batch. The index (slots in order, then filtered) is
 * recomputed at most four times a second: dropping removed slots and filtering are linear
 * passes over plain objects; sorting happens only when the order may have changed (the sort,
 * new rows, or a changed row's sort field), and starts from the previous order, which is almost
 * sorted already.
 */
import {
  type ChangesEvent,
  type Overview,
  type OverviewEvent,
  R,
  ROW_DEGRADED,
  ROW_HELD,
  ROW_HOT_LOOP,
  ROW_PROGRESSING,
  ROW_READY,
  ROW_ROLLED_BACK,
  type Row,
  type SnapshotEvent,
} from '../src/server/dashboard/protocol.js';

export type Column = 'kind' | 'name' | 'phase' | 'reason' | 'generation' | 'attempts' | 'restarts' | 'event';
export type Condition = '' | 'not-ready' | 'degraded' | 'progressing' | 'hot-loop' | 'held' | 'rolled-back';

export interface Filters {
  readonly text: string;
  readonly kind: string;
  readonly phase: string;
  readonly condition: Condition;
}

export interface Sort {
  readonly column: Column;
  readonly descending: boolean;
}

export const CONDITIONS: readonly { readonly value: Condition; readonly label: string }[] = [
  { value: '', label: 'any condition' },
  { value: 'not-ready', label: 'not ready' },
  { value: 'degraded', label: 'degraded' },
  { value: 'progressing', label: 'progressing' },
  { value: 'hot-loop', label: 'hot loop' },
  { value: 'held', label: 'deletion held' },
  { value: 'rolled-back', label: 'rolled back' },
];

/** Whether a row's flags pass the condition filter. */
const CONDITION_TEST: Record<Condition, (flags: number) => boolean> = {
  '': () => true,
  'not-ready': (flags) => (flags & ROW_READY) === 0,
  degraded: (flags) => (flags & ROW_DEGRADED) !== 0,
  progressing: (flags) => (flags & ROW_PROGRESSING) !== 0,
  'hot-loop': (flags) => (flags & ROW_HOT_LOOP) !== 0,
  held: (flags) => (flags & ROW_HELD) !== 0,
  'rolled-back': (flags) => (flags & ROW_ROLLED_BACK) !== 0,
};

/** The field each column sorts by, then (for generation) a second one. */
const SORT_FIELDS: Record<Column, readonly number[]> = {
  kind: [R.kind],
  name: [R.name],
  phase: [R.phase],
  reason: [R.reason],
  generation: [R.generation, R.observedGeneration],
  attempts: [R.attempts],
  restarts: [R.restarts],
  event: [R.eventAt],
};

/** A key's place in the index: its row is replaced in place when it changes. */
export interface Slot {
  row: Row;
  /** Removed: dropped from the index at the next recompute. */
  gone: boolean;
}

function compareBy(sort: Sort): (a: Slot, b: Slot) => number {
  const fields = SORT_FIELDS[sort.column];
  const sign = sort.descending ? -1 : 1;
  return ({ row: a }, { row: b }) => {
    for (const field of fields) {
      const x = a[field] as string | number;
      const y = b[field] as string | number;
      if (x < y) return -sign;
      if (x > y) return sign;
    }
    const x = a[R.key];
    const y = b[R.key];
    return x < y ? -sign : x > y ? sign : 0;
  };
}

const RECOMPUTE_EVERY_MS = 250;

export class Store {
  rows = new Map<string, Slot>();
  overview: Overview | undefined;
  /** Rows by phase and by kind; a count that falls to 0 stays (until the next snapshot). */
  phaseCounts = new Map<string, number>();
  kindCounts = new Map<string, number>();
  /** What the table shows: the rows that pass the filters, in order. */
  view: readonly Slot[] = [];
  filters: Filters = { text: '', kind: '', phase: '', condition: '' };
  sort: Sort = { column: 'kind', descending: false };
  lastSeq = 0;
  lastAt = 0;
  /** Snapshots applied: 0 until the first one. */
  snapshots = 0;
  /** Grows on every change the page shows. */
  version = 0;

  private sorted: Slot[] = [];
  /** Slots added since the last recompute, not yet in `sorted`. */
  private added: Slot[] = [];
  /** Some slot of `sorted` is gone. */
  private dropped = false;
  private orderDirty = false;
  private lastCompute = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly keyListeners = new Set<(keys: ReadonlySet<string> | undefined) => void>();

  /** Called after each change the page shows. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called with the keys of each `changes` batch, or `undefined` for a snapshot (all of them). */
  onKeys(listener: (keys: ReadonlySet<string> | undefined) => void): () => void {
    this.keyListeners.add(listener);
    return () => this.keyListeners.delete(listener);
  }

  applySnapshot(event: SnapshotEvent): void {
    this.rows = new Map();
    this.phaseCounts = new Map();
    this.kindCounts = new Map();
    for (const row of event.rows) {
      const slot = this.rows.get(row[R.key]);
      if (slot === undefined) {
        this.rows.set(row[R.key], { row, gone: false });
      } else {
        this.count(slot.row, -1);
        slot.row = row;
      }
      this.count(row, 1);
    }
    this.sorted = [...this.rows.values()];
    this.added = [];
    this.dropped = false;
    this.orderDirty = true;
    this.overview = event.overview;
    this.seen(event);
    this.snapshots += 1;
    this.recomputeNow();
    for (const listener of this.keyListeners) listener(undefined);
  }

  applyChanges(event: ChangesEvent): void {
    const keys = new Set<string>();
    const fields = SORT_FIELDS[this.sort.column];
    for (const row of event.rows) {
      const key = row[R.key];
      keys.add(key);
      const slot = this.rows.get(key);
      if (slot === undefined) {
        const added = { row, gone: false };
        this.rows.set(key, added);
        this.added.push(added);
        this.orderDirty = true;
      } else {
        const old = slot.row;
        this.count(old, -1);
        if (!this.orderDirty && fields.some((field) => old[field] !== row[field])) this.orderDirty = true;
        slot.row = row;
      }
      this.count(row, 1);
    }
    for (const key of event.removed) {
      const slot = this.rows.get(key);
      if (slot === undefined) continue;
      keys.add(key);
      this.rows.delete(key);
      this.count(slot.row, -1);
      slot.gone = true;
      this.dropped = true;
    }
    this.seen(event);
    this.schedule();
    for (const listener of this.keyListeners) listener(keys);
  }

  applyOverview(event: OverviewEvent): void {
    this.overview = event.overview;
    this.seen(event);
    this.emit();
  }

  setFilters(filters: Partial<Filters>): void {
    this.filters = { ...this.filters, ...filters };
    this.recomputeNow();
  }

  setSort(sort: Sort): void {
    this.sort = sort;
    this.orderDirty = true;
    this.recomputeNow();
  }

  private seen(event: { readonly seq: number; readonly at: number }): void {
    this.lastSeq = event.seq;
    this.lastAt = event.at;
  }

  private count(row: Row, by: number): void {
    const phase = row[R.phase];
    const kind = row[R.kind];
    this.phaseCounts.set(phase, (this.phaseCounts.get(phase) ?? 0) + by);
    this.kindCounts.set(kind, (this.kindCounts.get(kind) ?? 0) + by);
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastCompute + RECOMPUTE_EVERY_MS - performance.now());
    this.timer = setTimeout(() => this.recomputeNow(), wait);
  }

  private recomputeNow(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.lastCompute = performance.now();
    if (this.dropped || this.added.length > 0) {
      const kept = this.dropped ? this.sorted.filter((slot) => !slot.gone) : this.sorted;
      for (const slot of this.added) if (!slot.gone) kept.push(slot);
      this.sorted = kept;
      this.added = [];
      this.dropped = false;
    }
    if (this.orderDirty) this.sorted.sort(compareBy(this.sort));
    this.orderDirty = false;
    this.view = this.filter(this.sorted);
    this.emit();
  }

  private filter(slots: readonly Slot[]): readonly Slot[] {
    const { kind, phase, condition } = this.filters;
    const text = this.filters.text.trim().toLowerCase();
    if (text === '' && kind === '' && phase === '' && condition === '') return slots;
    const passes = CONDITION_TEST[condition];
    const out: Slot[] = [];
    for (const slot of slots) {
      const row = slot.row;
      if (kind !== '' && row[R.kind] !== kind) continue;
      if (phase !== '' && row[R.phase] !== phase) continue;
      if (!passes(row[R.flags])) continue;
      if (
        text !== '' &&
        !row[R.key].toLowerCase().includes(text) &&
        !row[R.error].toLowerCase().includes(text) &&
        !row[R.event].toLowerCase().includes(text)
      ) {
        continue;
      }
      out.push(slot);
    }
    return out;
  }

  private emit(): void {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }
}
