/**
 * Helpers for the exercise checks that run on a real PostgreSQL: a throwaway server for the
 * check (or the one `SETPOINT_TEST_DATABASE_URL` names), a fresh database per test, and ways to
 * watch one connection wait for another's lock without guessing at timings.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { freshDatabase, startCluster, type TestCluster } from '../test/helpers/postgres.js';

/**
 * For a check file: start a PostgreSQL server before its tests (about a second; none when
 * `SETPOINT_TEST_DATABASE_URL` is set), stop it after them, and close every connection made
 * through `database` after each test.
 */
export function postgresCheck(): { database(prefix: string): Promise<() => Promise<pg.Client>> } {
  let cluster: TestCluster | undefined;
  const clients: pg.Client[] = [];
  beforeAll(async () => {
    cluster = await startCluster();
  }, 60_000);
  afterAll(() => cluster?.stop());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });
  return {
    /** A new, empty database of its own, and a maker of connections to it. */
    async database(prefix) {
      if (!cluster) throw new Error('the PostgreSQL server did not start (see the error above)');
      const url = await freshDatabase(cluster, prefix);
      return async () => {
        const client = new pg.Client({ connectionString: url });
        client.on('error', () => {});
        await client.connect();
        clients.push(client);
        return client;
      };
    },
  };
}

/** The server process behind a connection: how `pg_stat_activity` names it. */
export async function backendOf(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return rows[0]!.pid;
}

/**
 * Wait until `work` settles or the server process `pid` waits for a lock, whichever comes first
 * (asked on `observer`, every 10 ms, for at most 5 s).
 */
export async function settledOrWaiting(
  observer: pg.ClientBase,
  pid: number,
  work: Promise<unknown>,
): Promise<'settled' | 'waiting'> {
  let settled = false;
  const done = () => {
    settled = true;
  };
  work.then(done, done);
  const deadline = Date.now() + 5000;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (settled) return 'settled';
    const { rows } = await observer.query<{ waiting: boolean }>(
      `select wait_event_type = 'Lock' as waiting from pg_stat_activity where pid = $1`,
      [pid],
    );
    if (rows[0]?.waiting) return 'waiting';
    if (Date.now() > deadline) throw new Error('neither done nor waiting for a lock after 5 s');
  }
}

/**
 * `client`, held back just before its first statement that changes `table` (any statement naming
 * it that is not a plain SELECT) until `go()`: a process paused between its check and its write.
 * `reached` resolves when it stops there.
 */
export function pausedBeforeWriting(
  client: pg.Client,
  table: string,
): { db: pg.Client; reached: Promise<void>; go: () => void } {
  let arrive!: () => void;
  const reached = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  let go!: () => void;
  const open = new Promise<void>((resolve) => {
    go = resolve;
  });
  let paused = false;
  const names = new RegExp(`\\b${table}\\b`, 'i');
  const query = async (...args: unknown[]) => {
    const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? '');
    if (!paused && names.test(text) && !/^\s*select\b/i.test(text)) {
      paused = true;
      arrive();
      await open;
    }
    return (client.query as (...a: unknown[]) => Promise<unknown>).apply(client, args);
  };
  const db = new Proxy(client, {
    get(target, property) {
      if (property === 'query') return query;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db, reached, go };
}
