import type { ChildRecord } from './child-record.js';
import { type ChildCounts, type ChildInfo, type ChildState, type ChildTree, childTree } from './tree.js';

/**
 * A supervisor's children: the current incarnation of each (its {@link ChildRecord}), by id, in
 * start order. A restart puts the new record in its predecessor's place, so the order holds.
 *
 * The counts `countChildren()` reports are kept as they change, so reading them is O(1) even
 * for 100,000 children; that is why a record enters and leaves `running` through {@link up} and
 * {@link down}, or all records at once through {@link allDown} or {@link clear}.
 */
export class ChildTable {
  readonly #records = new Map<string, ChildRecord>();
  #active = 0;
  #supervisors = 0;

  get size(): number {
    return this.#records.size;
  }

  /** The current incarnation of child `id`. */
  get(id: string): ChildRecord | undefined {
    return this.#records.get(id);
  }

  has(id: string): boolean {
    return this.#records.has(id);
  }

  /** Is `record` its child's current incarnation? An exit reported through any other is stale. */
  holds(record: ChildRecord): boolean {
    return this.#records.get(record.id) === record;
  }

  values(): IterableIterator<ChildRecord> {
    return this.#records.values();
  }

  /** The ids in start order. */
  ids(): string[] {
    return [...this.#records.keys()];
  }

  /** Hold `record` as a new child, after the others. */
  add(record: ChildRecord): void {
    this.#records.set(record.id, record);
    if (record.type === 'supervisor') this.#supervisors++;
  }

  /** Hold the next incarnation of `old`'s child, in `old`'s place; returns its record. */
  renew(old: ChildRecord): ChildRecord {
    const record = old.next();
    this.#records.set(record.id, record);
    return record;
  }

  /** Let go of `record`'s child altogether. */
  delete(record: ChildRecord): void {
    this.#records.delete(record.id);
    if (record.state === 'running') this.#active--;
    if (record.type === 'supervisor') this.#supervisors--;
  }

  clear(): void {
    this.#records.clear();
    this.#active = 0;
    this.#supervisors = 0;
  }

  /** `record`'s child has started: it is running. */
  up(record: ChildRecord): void {
    record.state = 'running';
    this.#active++;
  }

  /** `record` leaves `running` (if it was) for `state`. */
  down(record: ChildRecord, state: Exclude<ChildState, 'running'>): void {
    if (record.state === 'running') this.#active--;
    record.state = state;
  }

  /** Every child was killed at once: none runs. */
  allDown(): void {
    this.#active = 0;
  }

  counts(): ChildCounts {
    const specs = this.#records.size;
    const supervisors = this.#supervisors;
    return { specs, active: this.#active, supervisors, workers: specs - supervisors };
  }

  /** `whichChildren()`: one row per child, in start order. */
  rows(): ChildInfo[] {
    const rows: ChildInfo[] = [];
    for (const r of this.#records.values())
      rows.push({ id: r.id, type: r.type, state: r.state, child: r.running });
    return rows;
  }

  /** The children's part of `tree()`, recursing into running nested supervisors. */
  trees(): ChildTree[] {
    const trees: ChildTree[] = [];
    for (const r of this.#records.values())
      trees.push(childTree(r.id, r.type, r.state, r.restarts, r.running));
    return trees;
  }
}
