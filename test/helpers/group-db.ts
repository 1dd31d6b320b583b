import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/**
 * What a group of instances left in its database, read from outside: who owns each shard over
 * time (sampled), and whether every resource converged.
 */
export async function connectDb(url: string): Promise<pg.Client> {
  const db = new pg.Client({ connectionString: url });
  db.on('error', () => {});
  await db.connect();
  return db;
}

export interface LeaseRow {
  readonly shard: number;
  readonly owner: string | null;
  readonly epoch: number;
  readonly expired: boolean;
}

export async function leases(db: pg.ClientBase): Promise<LeaseRow[]> {
  const { rows } = await db.query<{ shard: number; owner: string | null; epoch: string; expired: boolean }>(
    'select shard, owner, epoch, (owner is null or expires_at < now()) as expired from shard_leases order by shard',
  );
  return rows.map((r) => ({ ...r, epoch: Number(r.epoch) }));
}

/** Shard → owner, of the leases that run. */
export function owners(rows: readonly LeaseRow[]): Map<number, string> {
  return new Map(rows.filter((r) => r.owner !== null && !r.expired).map((r) => [r.shard, r.owner!]));
}

/**
 * Samples `shard_leases` every `everyMs` and keeps, per shard, the longest time without an
 * owner at work: no owner, an expired lease, or an owner the test took down (`down(owner)`
 * gives when). Times are conservative by up to one sample.
 */
export class LeaseSampler {
  readonly longest = new Map<number, number>();
  readonly #since = new Map<number, number>();
  #last: LeaseRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(
    private readonly db: pg.ClientBase,
    private readonly down: (owner: string) => number | undefined,
    private readonly everyMs = 100,
  ) {}

  start(): void {
    this.#timer = setInterval(() => void this.sample(), this.everyMs);
  }

  async sample(): Promise<LeaseRow[]> {
    if (this.#busy) return this.#last;
    this.#busy = true;
    try {
      const t = performance.timeOrigin + performance.now();
      const rows = await leases(this.db);
      for (const row of rows) {
        const at = row.owner === null ? undefined : this.down(row.owner);
        const working = row.owner !== null && !row.expired && (at === undefined || at > t);
        const since = this.#since.get(row.shard);
        if (!working && since === undefined) this.#since.set(row.shard, Math.min(t, at ?? t));
        if (working && since !== undefined) {
          this.#since.delete(row.shard);
          this.longest.set(row.shard, Math.max(this.longest.get(row.shard) ?? 0, t - since));
        }
      }
      this.#last = rows;
      return rows;
    } finally {
      this.#busy = false;
    }
  }

  /** The longest time any shard went without an owner at work, so far (ms). */
  worst(): number {
    const t = performance.timeOrigin + performance.now();
    let worst = 0;
    for (const v of this.longest.values()) worst = Math.max(worst, v);
    for (const since of this.#since.values()) worst = Math.max(worst, t - since);
    return worst;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

export interface Convergence {
  readonly total: number;
  /** Keys whose file is missing or holds another spec. */
  readonly wrongWorld: string[];
  /** Keys whose row is not Ready at its current generation. */
  readonly notReady: string[];
}

/** Every desired resource: its file holds its spec, and its row is Ready at its generation. */
export async function convergence(db: pg.ClientBase, world: string): Promise<Convergence> {
  const { rows } = await db.query<{ key: string; name: string; spec: unknown; ok: boolean }>(
    `select key, name, spec,
            (observed_generation = generation and coalesce(status->>'ready', '') = 'true') as ok
       from resources`,
  );
  const wrongWorld: string[] = [];
  const notReady: string[] = [];
  for (const row of rows) {
    if (!row.ok) notReady.push(row.key);
    const file = join(world, `${encodeURIComponent(row.name)}.json`);
    if (!existsSync(file) || !sameJson(readFileSync(file, 'utf8'), row.spec)) wrongWorld.push(row.key);
  }
  return { total: rows.length, wrongWorld, notReady };
}

export const converged = (c: Convergence): boolean =>
  c.total > 0 && c.wrongWorld.length === 0 && c.notReady.length === 0;

function sameJson(text: string, spec: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(spec);
  } catch {
    return false; // being written
  }
}
