/**
 * What example 11 works with besides the instances: a world that records every call made to
 * it, the queues to publish, and ways to wait for the database.
 */
import type pg from 'pg';
import { defineProvider, type Provider, type Resource } from '../../src/index.js';

/** One call made to the world: which instance made it, what, on which key. */
export interface Call {
  readonly instance: string;
  readonly op: 'observe' | 'create' | 'update' | 'delete';
  readonly key: string;
}

/**
 * Queues by name, in memory, shared by every instance. It has no uniqueness of its own: a
 * second create of a name would simply happen, and show in `calls`.
 */
export function recordingWorld() {
  const queues = new Map<string, Record<string, unknown>>();
  const calls: Call[] = [];
  const providerFor = (instance: string): Provider =>
    defineProvider({
      kind: 'queue',
      async observe(ref) {
        calls.push({ instance, op: 'observe', key: `queue/${ref.name}` });
        return queues.get(ref.name);
      },
      async create(desired) {
        calls.push({ instance, op: 'create', key: `queue/${desired.name}` });
        queues.set(desired.name, { ...desired.spec });
      },
      async update(desired) {
        calls.push({ instance, op: 'update', key: `queue/${desired.name}` });
        queues.set(desired.name, { ...desired.spec });
      },
      async delete(_current, ref) {
        calls.push({ instance, op: 'delete', key: `queue/${ref.name}` });
        queues.delete(ref.name);
      },
    });
  return {
    calls,
    providerFor,
    size: () => queues.size,
    get: (key: string) => queues.get(key.slice('queue/'.length)),
    /** Every resource of `set` was created once, and only once. */
    createdOnce(set: readonly Resource[]): boolean {
      const creates = calls.filter((c) => c.op === 'create').map((c) => c.key);
      return (
        creates.length === set.length &&
        set.every((r) => creates.filter((k) => k === `queue/${r.name}`).length === 1)
      );
    },
  };
}

/** `n` queues, `q01` … */
export function queues(n: number, spec: Record<string, unknown>): Resource[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'queue',
    name: `q${String(i + 1).padStart(2, '0')}`,
    spec: { ...spec },
  }));
}

/** `0, 1, 2` */
export const list = (values: readonly (string | number)[]) => values.join(', ');

/** Run `step` until it says done, at most `tries` times. */
export async function until(what: string, step: () => Promise<boolean>, tries = 10): Promise<void> {
  for (let i = 0; i < tries; i++) if (await step()) return;
  throw new Error(`gave up waiting until ${what}`);
}

/** Poll `check` every 10 ms (real time), for at most `ms`. */
export async function poll(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Wait until the server has ended the sessions of instance `id`: its member lock (an advisory
 * lock held on one of its sessions, see `shard-manager.ts`) is gone from `pg_locks`.
 */
export function sessionsEnded(db: pg.ClientBase, id: string): Promise<void> {
  return poll(`the sessions of ${id} have ended`, async () => {
    const { rows } = await db.query<{ n: number }>(
      `select count(*)::int as n from pg_locks
        where locktype = 'advisory' and objsubid = 2 and classid = $1::int::oid and objid = hashtext($2)::oid`,
      [0x5e7b, id],
    );
    return rows[0]?.n === 0;
  });
}
