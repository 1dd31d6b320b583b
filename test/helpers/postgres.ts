import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach } from 'vitest';
import { freePort } from './poll.js';

/** Where Debian puts PostgreSQL 15's server programs. */
/** Where PostgreSQL's programs are (`initdb`, `pg_ctl`, `pgbench`). */
export const PG_BIN = process.env.SETPOINT_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const BIN = PG_BIN;

/** A throwaway PostgreSQL cluster: its connection string, and how to stop and remove it. */
export interface TestCluster {
  readonly url: string;
  stop(): void;
}

/**
 * The test run's PostgreSQL (started once by `test/global-setup.ts`): each test file makes the
 * databases it needs on it with {@link freshDatabase}; `stop` does nothing here.
 */
export async function startTestCluster(): Promise<TestCluster> {
  const { inject } = await import('vitest');
  return { url: inject('databaseUrl'), stop: () => {} };
}

/**
 * Start a PostgreSQL cluster of its own in a temporary directory, listening on 127.0.0.1 at a
 * free port, trusting local connections (about a second). PostgreSQL refuses to run as root, so
 * when the tests run as root the cluster runs as the `postgres` user. `SETPOINT_TEST_DATABASE_URL`
 * names an existing database instead, and nothing is started.
 */
export async function startCluster(options: { readonly durable?: boolean } = {}): Promise<TestCluster> {
  const given = process.env.SETPOINT_TEST_DATABASE_URL;
  if (given) return { url: given, stop: () => {} };
  if (!existsSync(join(BIN, 'initdb'))) {
    throw new Error(
      `PostgreSQL is not installed at ${BIN} (apt-get install postgresql, or set SETPOINT_PG_BIN)`,
    );
  }
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-pg-'));
  chmodSync(dir, 0o700);
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (program: string, args: string[]) =>
    root
      ? execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, program), ...args], { stdio: 'pipe' })
      : execFileSync(join(BIN, program), args, { stdio: 'pipe' });
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  // Tests want speed; a bench of commits wants them as durable as a database in service.
  const sync = options.durable ? '' : ' -c fsync=off';
  const flags = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${sync} -c max_connections=200`;
  run('pg_ctl', ['-D', data, '-o', flags, '-l', join(dir, 'log'), '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A new, empty database on `cluster`, and the connection string that names it: each test works
 * in a database of its own, so tests never see each other's rows.
 */
export async function freshDatabase(cluster: TestCluster, prefix: string): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: cluster.url });
  admin.on('error', () => {});
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(cluster.url);
  url.pathname = `/${name}`;
  return url.toString();
}

/** What a test file of the PostgreSQL store works with (see {@link postgresTests}). */
export interface PostgresTests {
  /** A fresh database for one test, and a maker of connections to it (closed after the test). */
  database(prefix: string): Promise<{ readonly url: string; connect(): Promise<pg.Client> }>;
}

/**
 * For a test file of the PostgreSQL store: a fresh database per call on the test run's cluster,
 * and every connection made to one closed after each test. A connection a test ends on purpose
 * (an instance that dies) reports nothing.
 */
export function postgresTests(): PostgresTests {
  const clients: pg.Client[] = [];
  let cluster: TestCluster | undefined;
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });
  return {
    async database(prefix) {
      cluster ??= await startTestCluster();
      const url = await freshDatabase(cluster, prefix);
      const connect = async () => {
        const client = new pg.Client({ connectionString: url });
        client.on('error', () => {});
        await client.connect();
        clients.push(client);
        return client;
      };
      return { url, connect };
    },
  };
}
