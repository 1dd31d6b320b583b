import type pg from 'pg';
import { redactedJson } from '../../server/redact-json.js';
import { migrate } from '../../store/pg/migrations.js';
import { publishAs } from '../../store/pg/publications.js';
import type { CliIo } from '../cli-io.js';
import {
  connectTo,
  describeConnectError,
  instanceIdOf,
  type PostgresStoreConfig,
  sharedKeyProblem,
} from '../cluster-session.js';
import type { Input } from '../input.js';
import type { CommandArgs } from '../parse-args.js';
import { plural } from '../plural.js';

type ApplyArgs = Extract<CommandArgs, { command: 'apply' }>;

/** How often the resources' status is read while waiting. */
const POLL_MS = 250;

/**
 * `setpoint apply` with a postgres store: the running instances apply, not this process.
 * Publish the config's resources as the desired set, then wait until the instances report each
 * Ready at its new generation, and each removed one gone from the inventory (exit 0); a
 * resource Degraded at its generation, or the `--timeout`, exits 1. With no instance running,
 * say so and exit 0: what was published is applied when one starts.
 */
export async function applyToGroup(
  args: ApplyArgs,
  io: CliIo,
  input: Input,
  store: PostgresStoreConfig,
): Promise<number> {
  const { config } = input;
  const problem = sharedKeyProblem(config, input.stateKey);
  if (problem !== undefined) {
    io.stderr.write(`${problem}\n`);
    return 1;
  }
  let client: pg.Client;
  try {
    client = await connectTo(config, store, io);
  } catch (error) {
    io.stderr.write(`setpoint: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    await migrate(client, store.cluster.shards);
  } catch (error) {
    io.stderr.write(`setpoint: ${describeConnectError(config, store, io, error)}\n`);
    await client.end().catch(() => undefined);
    return 1;
  }
  try {
    const by = `apply:${instanceIdOf(store, process.pid)}`;
    const before = new Set(
      (await client.query<{ key: string }>("select key from resources where source = 'config'")).rows.map(
        (r) => r.key,
      ),
    );
    const { published } = await publishAs(client, by, config.resources, store.cluster.shards);
    const wanted = new Set(config.resources.map((r) => `${r.kind}/${r.name}`));
    const removed = [...before].filter((key) => !wanted.has(key));
    const say = (text: string) => {
      if (!args.json) io.stdout.write(`${text}\n`);
    };
    say(
      `Published to the database: ${published.added} added, ${published.changed} changed, ${published.removed} removed.`,
    );
    for (const key of published.conflicts)
      io.stderr.write(`setpoint: ${key} is declared by another source in the database: left as it has it\n`);
    const members = await client.query<{ n: number }>(
      `select count(*)::int as n from members
        where heartbeat_at > now() - make_interval(secs => $1::double precision / 1000)`,
      [store.cluster.leaseTtlMs],
    );
    if ((members.rows[0]?.n ?? 0) === 0) {
      say('No instance is running: start setpoint run, and it applies what was published.');
      if (args.json) io.stdout.write(`${redactedJson({ published, running: 0 }, config.secrets, 2)}\n`);
      return 0;
    }
    const deadline = io.clock.now() + args.timeoutMs;
    for (;;) {
      const left = await progress(client, removed);
      const done = left.waiting.length === 0 && left.degraded.length === 0 && left.present.length === 0;
      const stuck = left.waiting.length === 0 && left.present.length === 0 && left.degraded.length > 0;
      if (done || stuck || io.clock.now() >= deadline) {
        const outcome = done ? 'converged' : stuck ? 'failed' : 'timeout';
        if (args.json) {
          io.stdout.write(`${redactedJson({ outcome, published, ...left }, config.secrets, 2)}\n`);
        } else if (done) {
          say(`Converged: ${plural(wanted.size, 'resource')} Ready at their generation.`);
        } else {
          const list = (keys: string[]) => keys.slice(0, 10).join(', ') + (keys.length > 10 ? ', …' : '');
          if (left.degraded.length > 0) say(`Degraded: ${list(left.degraded)}`);
          if (left.waiting.length > 0) say(`Not Ready yet: ${list(left.waiting)}`);
          if (left.present.length > 0) say(`Not deleted yet: ${list(left.present)}`);
          say(
            stuck
              ? "Failed: see setpoint status, and the instances' logs."
              : `Timed out after ${args.timeoutMs} ms; the instances keep working on it.`,
          );
        }
        return done ? 0 : 1;
      }
      await new Promise<void>((resolve) => io.clock.setTimeout(resolve, POLL_MS));
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** What is not there yet: desired keys not Ready at their generation, removed keys still managed. */
async function progress(
  client: pg.Client,
  removed: readonly string[],
): Promise<{ waiting: string[]; degraded: string[]; present: string[] }> {
  const { rows } = await client.query<{ key: string; ready: boolean; degraded: boolean }>(
    `select key,
            coalesce(status->>'ready' = 'true', false) and observed_generation = generation as ready,
            coalesce(status->'conditions' @> '[{"type":"Degraded","status":true}]', false)
              and observed_generation = generation as degraded
       from resources where source = 'config' order by key`,
  );
  const present = (
    await client.query<{ key: string }>('select key from inventory where key = any($1::text[])', [removed])
  ).rows.map((r) => r.key);
  return {
    waiting: rows.filter((r) => !r.ready && !r.degraded).map((r) => r.key),
    degraded: rows.filter((r) => r.degraded).map((r) => r.key),
    present,
  };
}
