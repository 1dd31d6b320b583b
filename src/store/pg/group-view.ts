import type pg from 'pg';

/** An instance of a group, as the database holds it. */
export interface GroupMember {
  readonly id: string;
  /** Its heartbeat is younger than a lease. */
  readonly live: boolean;
  readonly heartbeatAgoS: number;
  readonly startedAt: string;
}

/** A shard's lease, as the database holds it. */
export interface GroupShard {
  readonly shard: number;
  readonly owner: string | null;
  readonly epoch: number;
  readonly expired: boolean;
  readonly expiresInS: number;
}

/** The group's members and every shard's owner, read in one go (reads only). */
export async function readMembersAndShards(
  db: Pick<pg.ClientBase, 'query'>,
  ttlMs: number,
): Promise<{ members: GroupMember[]; shards: GroupShard[] }> {
  const members = await db.query<{ id: string; started_at: Date; ago: number }>(
    'select id, started_at, extract(epoch from now() - heartbeat_at)::float8 as ago from members order by id',
  );
  const shards = await db.query<{ shard: number; owner: string | null; epoch: string; left: number | null }>(
    'select shard, owner, epoch, extract(epoch from expires_at - now())::float8 as left from shard_leases order by shard',
  );
  return {
    members: members.rows.map((m) => ({
      id: m.id,
      live: m.ago * 1000 < ttlMs,
      heartbeatAgoS: m.ago,
      startedAt: m.started_at.toISOString(),
    })),
    shards: shards.rows.map((s) => ({
      shard: s.shard,
      owner: s.owner,
      epoch: Number(s.epoch),
      expired: s.left === null || s.left < 0,
      expiresInS: s.left ?? 0,
    })),
  };
}
