import pg from 'pg';
import type { GroupSummary } from '../server/dashboard/protocol.js';
import { readMembersAndShards } from '../store/pg/group-view.js';

/**
 * The dashboard's view of a group on PostgreSQL: its members and every shard's owner, read on
 * one connection of its own (opened when the page first asks, kept while it does).
 */
export function groupReader(connection: pg.ClientConfig, ttlMs: number) {
  const pool = new pg.Pool({ ...connection, max: 1, idleTimeoutMillis: 10_000 });
  pool.on('error', () => {}); // an idle connection that drops is opened again at the next read
  return {
    async read(): Promise<GroupSummary> {
      const { members, shards } = await readMembersAndShards(pool, ttlMs);
      return {
        members: members.map((m) => ({
          id: m.id,
          live: m.live,
          heartbeatAgoS: m.heartbeatAgoS,
          shards: shards.filter((s) => s.owner === m.id && !s.expired).length,
        })),
        shards: shards.map((s) => ({ shard: s.shard, owner: s.owner, epoch: s.epoch, expired: s.expired })),
      };
    },
    close: () => pool.end().catch(() => undefined),
  };
}
