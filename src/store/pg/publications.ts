import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Resource } from '../../contract/resource.js';
import { canonicalJson } from '../../diff/canonical-json.js';
import { type Published, publish } from './resources.js';

/** Who last made the desired set what it is, and which set it was. */
export interface Publication {
  readonly instance: string;
  /** A digest of the set (sha256 of its canonical JSON, sorted by key), to compare configs. */
  readonly digest: string;
  readonly resources: number;
  /** The database's time of it, in ms since the epoch. */
  readonly at: number;
}

/** The digest of a desired set: equal for equal sets, whatever their order. */
export function digestOf(resources: readonly Resource[]): string {
  const key = (r: Resource) => `${r.kind}/${r.name}`;
  const sorted = [...resources].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return createHash('sha256').update(canonicalJson(sorted)).digest('hex').slice(0, 16);
}

/**
 * Publish `resources` as the desired set (see `publish`) on behalf of `instance`, and record it
 * when it changed anything, or when the set differs from the last one recorded. Resolves with
 * what changed and the publication before this one.
 */
export async function publishAs(
  db: pg.ClientBase,
  instance: string,
  resources: readonly Resource[],
  shards: number,
): Promise<{ published: Published; previous: Publication | undefined; digest: string }> {
  const previous = await lastPublication(db);
  const digest = digestOf(resources);
  const published = await publish(db, resources, shards);
  const changed = published.added + published.changed + published.removed > 0;
  if (changed || previous?.digest !== digest) {
    await db.query(
      `insert into publications (instance, digest, resources, added, changed, removed)
       values ($1, $2, $3, $4, $5, $6)`,
      [instance, digest, resources.length, published.added, published.changed, published.removed],
    );
  }
  return { published, previous, digest };
}

export async function lastPublication(db: pg.ClientBase): Promise<Publication | undefined> {
  const { rows } = await db.query<{ instance: string; digest: string; resources: number; at: Date }>(
    'select instance, digest, resources, at from publications order by id desc limit 1',
  );
  const row = rows[0];
  return (
    row && { instance: row.instance, digest: row.digest, resources: row.resources, at: row.at.getTime() }
  );
}
