import type pg from 'pg';
import { redact } from '../../contract/redact.js';
import { redactedJson } from '../../server/redact-json.js';
import { readMembersAndShards } from '../../store/pg/group-view.js';
import { lastPublication } from '../../store/pg/publications.js';
import type { CliIo } from '../cli-io.js';
import { connectTo, describeConnection, type PostgresStoreConfig } from '../cluster-session.js';
import type { CommonArgs } from '../parse-args.js';
import { plural } from '../plural.js';
import type { StatusConfig } from '../status-config.js';
import { table } from '../table.js';

/**
 * `setpoint status` with a postgres store: the group as the database holds it, whichever
 * instance answers or none: its members, every shard's owner and epoch, each resource's status
 * as its owner wrote it back, pending intents and the last publication. Reads only.
 */
export async function groupStatus(
  args: CommonArgs,
  io: CliIo,
  config: StatusConfig,
  store: PostgresStoreConfig,
): Promise<number> {
  let client: pg.Client;
  try {
    client = await connectTo(config, store, io);
  } catch (error) {
    io.stderr.write(`setpoint: ${redact((error as Error).message, config.secrets)}\n`);
    return 1;
  }
  try {
    const made = await client.query<{ made: boolean }>(
      "select to_regclass('shard_leases') is not null as made",
    );
    const where = describeConnection(store, io.env);
    if (!made.rows[0]?.made) {
      if (args.json)
        io.stdout.write(
          `${JSON.stringify({ source: 'database', members: [], shards: [], resources: [] })}\n`,
        );
      else io.stdout.write(`No setpoint group in ${where} yet (start setpoint run, or setpoint apply).\n`);
      return 0;
    }
    const view = await readGroup(client, store.cluster.leaseTtlMs);
    if (args.json) {
      io.stdout.write(`${redactedJson({ source: 'database', ...view }, config.secrets, 2)}\n`);
      return 0;
    }
    const live = view.members.filter((m) => m.live).length;
    const ready = view.resources.filter((r) => r.ready).length;
    const owned = view.shards.filter((s) => s.owner !== null && !s.expired).length;
    const lines = [
      `setpoint group in ${where}: ${plural(live, 'live instance')}, ${owned} of ${plural(view.shards.length, 'shard')} owned, ${plural(view.resources.length, 'resource')} (${ready} ready).`,
      '',
      table([
        ['INSTANCE', 'LIVE', 'SHARDS', 'HEARTBEAT', 'STARTED'],
        ...view.members.map((m) => [
          m.id,
          m.live ? 'yes' : 'no',
          String(view.shards.filter((s) => s.owner === m.id && !s.expired).length),
          `${m.heartbeatAgoS.toFixed(1)}s ago`,
          m.startedAt,
        ]),
      ]),
      '',
      table([
        ['SHARD', 'OWNER', 'EPOCH', 'LEASE'],
        ...view.shards.map((s) => [
          String(s.shard),
          s.owner ?? '-',
          String(s.epoch),
          s.owner === null ? '-' : s.expired ? 'expired' : `${s.expiresInS.toFixed(1)}s left`,
        ]),
      ]),
      '',
      table([
        ['KEY', 'PHASE', 'READY', 'GENERATION', 'OBSERVED', 'INSTANCE', 'LAST ERROR'],
        ...view.resources.map((r) => [
          r.key,
          r.phase ?? 'pending',
          r.ready ? 'yes' : 'no',
          String(r.generation),
          String(r.observedGeneration),
          r.instance ?? '-',
          r.lastError ?? '',
        ]),
      ]),
      '',
      `${plural(view.pendingIntents, 'intent')} pending` +
        (view.lastPublication
          ? `; last published by ${view.lastPublication.instance} at ${new Date(view.lastPublication.at).toISOString()} (${plural(view.lastPublication.resources, 'resource')}, digest ${view.lastPublication.digest}).`
          : '.'),
    ];
    io.stdout.write(`${redact(lines.join('\n'), config.secrets)}\n`);
    return 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function readGroup(client: pg.Client, ttlMs: number) {
  const { members, shards } = await readMembersAndShards(client, ttlMs);
  const resources = await client.query<{
    key: string;
    generation: string;
    observed_generation: string;
    status: { phase?: string; ready?: boolean; instance?: string; lastError?: string | null } | null;
  }>('select key, generation, observed_generation, status from resources order by key');
  const intents = await client.query<{ n: number }>('select count(*)::int as n from intents');
  return {
    members,
    shards,
    resources: resources.rows.map((r) => {
      const generation = Number(r.generation);
      const observedGeneration = Number(r.observed_generation);
      return {
        key: r.key,
        phase: r.status?.phase,
        ready: r.status?.ready === true && observedGeneration === generation,
        generation,
        observedGeneration,
        instance: r.status?.instance,
        lastError: r.status?.lastError ?? undefined,
      };
    }),
    pendingIntents: intents.rows[0]?.n ?? 0,
    lastPublication: await lastPublication(client),
  };
}
