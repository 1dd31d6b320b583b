import type { ResourceStatus } from '../runtime/index.js';
import type { StatusRow } from '../store/pg/status-rows.js';

/** The part of a status written back to the database: what a reader of the table needs. */
export function sharedStatus(status: ResourceStatus, instance: string): Record<string, unknown> {
  return {
    phase: status.phase,
    ready: status.conditions.some((c) => c.type === 'Ready' && c.status),
    conditions: status.conditions,
    attempts: status.attempts,
    lastError: status.lastError ?? null,
    rolledBack: status.rolledBack,
    restarts: status.restarts,
    instance,
  };
}

/**
 * Which statuses to write back, and when they changed. Keys are marked dirty by the runtime's
 * events; `take` returns the rows whose shared status (or observed generation) differs from the
 * last one written, grouped by shard. A write that fails is given back with `retry`.
 */
export class StatusWriter {
  readonly #dirty = new Set<string>();
  /** What was last written per key: the status as JSON, and the observed generation. */
  readonly #written = new Map<string, { json: string; observed: number | undefined }>();
  /** The database generation of the spec last handed to the runtime, by key. */
  readonly fed = new Map<string, number>();

  constructor(
    private readonly instance: string,
    private readonly status: (key: string) => ResourceStatus | undefined,
    private readonly shardOf: (key: string) => number,
  ) {}

  mark(key: string): void {
    this.#dirty.add(key);
  }

  get pending(): number {
    return this.#dirty.size;
  }

  /** The rows to write now, by shard (only keys whose status changed since the last write). */
  take(): Map<number, StatusRow[]> {
    const out = new Map<number, StatusRow[]>();
    for (const key of this.#dirty) {
      const status = this.status(key);
      if (status === undefined) continue; // not running here (any more)
      const shared = sharedStatus(status, this.instance);
      // The pass acted on the spec last handed over: its database generation is observed.
      const observed = status.observedGeneration === status.generation ? this.fed.get(key) : undefined;
      const json = JSON.stringify(shared);
      const before = this.#written.get(key);
      if (before?.json === json && (observed === undefined || before.observed === observed)) continue;
      this.#written.set(key, { json, observed: observed ?? before?.observed });
      const shard = this.shardOf(key);
      const rows = out.get(shard) ?? [];
      out.set(shard, rows);
      rows.push({ key, status: shared, observedGeneration: observed });
    }
    this.#dirty.clear();
    return out;
  }

  /** These rows were not written: mark them again, and forget that they were. */
  retry(rows: readonly StatusRow[]): void {
    for (const row of rows) {
      this.#written.delete(row.key);
      this.#dirty.add(row.key);
    }
  }

  /** After a read of the whole desired set (into `fed`): forget what was written for keys gone from it. */
  forgetAbsent(): void {
    for (const key of this.#written.keys()) if (!this.fed.has(key)) this.#written.delete(key);
  }

  /** A shard moved away: what was written for its keys is another instance's business now. */
  forgetShard(shard: number): void {
    for (const key of this.#written.keys()) if (this.shardOf(key) === shard) this.#written.delete(key);
  }
}
