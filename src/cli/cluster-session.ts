import { hostname } from 'node:os';
import { relative } from 'node:path';
import pg from 'pg';
import type { LoadedConfig } from '../config/load-config.js';
import { redactUrl, type StoreConfig } from '../config/store-config.js';
import { describeError } from '../contract/errors.js';
import type { CliIo } from './cli-io.js';
import { STATE_KEY_VARIABLE } from './state-key.js';

export type PostgresStoreConfig = Extract<StoreConfig, { kind: 'postgres' }>;

/** The connection of a postgres store: its URL, else the `PG*` variables of `env`. */
export function connectionOf(store: PostgresStoreConfig, env: CliIo['env']): pg.ClientConfig {
  if (store.url !== undefined) return { connectionString: store.url };
  const port = env.PGPORT === undefined ? undefined : Number(env.PGPORT);
  return {
    ...(env.PGHOST ? { host: env.PGHOST } : {}),
    ...(port !== undefined && Number.isInteger(port) ? { port } : {}),
    ...(env.PGUSER ? { user: env.PGUSER } : {}),
    ...(env.PGPASSWORD ? { password: env.PGPASSWORD } : {}),
    ...(env.PGDATABASE ? { database: env.PGDATABASE } : {}),
  };
}

/** Where the store points, for messages: the URL with its password hidden, or the PG* values. */
export function describeConnection(store: PostgresStoreConfig, env: CliIo['env']): string {
  if (store.url !== undefined) return redactUrl(store.url);
  const c = connectionOf(store, env);
  return `postgres://${c.user ?? ''}${c.user ? '@' : ''}${c.host ?? 'localhost'}:${c.port ?? 5432}/${c.database ?? c.user ?? ''} (from the PG* environment variables)`;
}

/** This instance's id: `cluster.id`, else the host's name and the process id. */
export function instanceIdOf(store: PostgresStoreConfig, pid: number): string {
  return store.cluster.id ?? `${hostname()}-${pid}`;
}

/**
 * Why this config cannot run on a shared database as it is, or `undefined`: a spec holding a
 * secret is sealed with the state key, and every instance must open what the others sealed, so
 * the key must come from `SETPOINT_STATE_KEY` (the same everywhere), not a file of one machine.
 */
export function sharedKeyProblem(config: LoadedConfig, key: Uint8Array | undefined): string | undefined {
  if (key !== undefined || config.secrets.length === 0) return undefined;
  const specs = JSON.stringify(config.resources.map((r) => r.spec));
  if (!config.secrets.some((secret) => specs.includes(JSON.stringify(secret).slice(1, -1)))) return undefined;
  return `setpoint: the resources hold secrets, and with a postgres store every instance seals and opens them with one key: set ${STATE_KEY_VARIABLE} to the same key on every instance (32 bytes in base64: openssl rand -base64 32)`;
}

/** A failure to reach the database, for people. */
export function describeConnectError(
  config: Pick<LoadedConfig, 'file'>,
  store: PostgresStoreConfig,
  io: CliIo,
  error: unknown,
): string {
  const file = relative(io.cwd, config.file) || config.file;
  return `cannot use the database at ${describeConnection(store, io.env)}: ${describeError(error)}; check store: in ${file} (and that PostgreSQL is running)`;
}

/** A session with the store's database; a failure says which database, and where it is named. */
export async function connectTo(
  config: Pick<LoadedConfig, 'file'>,
  store: PostgresStoreConfig,
  io: CliIo,
): Promise<pg.Client> {
  const client = new pg.Client(connectionOf(store, io.env));
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(describeConnectError(config, store, io, error));
  }
}
