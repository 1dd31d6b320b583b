import { z } from 'zod';
import { formatDuration } from '../contract/duration-text.js';
import { type ConfigIssue, issue, quote, type SourcePosition } from './issue.js';
import { durationAtLeast, durationMs, type IssueParams } from './schema-parts.js';

/**
 * Where the state lives: the file store in `state:` (the default), or a PostgreSQL database
 * that several instances share.
 *
 * ```yaml
 * store: postgres://setpoint@db.example:5432/setpoint   # or `postgres`: from PGHOST, PGPORT, …
 * cluster: { id: node-a, shards: 64, leaseTtl: 10s, renewEvery: 2s }
 * ```
 */
export const storeSchema = z
  .string()
  .superRefine((text, ctx) => {
    if (text === 'file' || text === 'postgres' || isPostgresUrl(text)) return;
    ctx.addIssue({
      code: 'custom',
      message: `${quote(redactUrl(text))} is not a store`,
      params: {
        code: 'invalid-value',
        hint: 'write store: postgres://USER@HOST:5432/DATABASE, store: postgres (the connection from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE), or leave it out for the state directory',
      } satisfies IssueParams,
    });
  })
  .meta({
    description:
      'Where the state lives: file (the state directory, the default), postgres (the connection from the PG* environment variables), or a postgres:// URL shared by several instances.',
    pattern: '^(file|postgres|postgres(ql)?://.+)$',
  });

/** Limits of the cluster's timing: a lease is renewed at least three times before it ends. */
export const CLUSTER_MINIMUMS = { leaseTtlMs: 1000, renewEveryMs: 100 } as const;
export const CLUSTER_DEFAULTS = { shards: 64, leaseTtlMs: 10_000, renewEveryMs: 2000 } as const;

export const clusterSchema = z
  .strictObject({
    id: z
      .string()
      .regex(/^[A-Za-z0-9._:-]{1,100}$/, {
        error: 'an instance id is 1 to 100 letters, digits, ".", "_", ":" or "-"',
      })
      .optional()
      .meta({
        description: 'This instance, unique among those sharing the database. Default <hostname>-<pid>.',
      }),
    shards: z.int().min(1).max(4096).optional().meta({
      description:
        'How many shards the work is split into; fixed when the database is first made. Default 64.',
    }),
    leaseTtl: durationAtLeast(
      CLUSTER_MINIMUMS.leaseTtlMs,
      'How long a shard lease lasts without renewal. Default 10s.',
    ).optional(),
    renewEvery: durationAtLeast(
      CLUSTER_MINIMUMS.renewEveryMs,
      'How often leases are renewed and the desired set is read; at most a third of leaseTtl. Default 2s.',
    ).optional(),
    publish: z.boolean().optional().meta({
      description:
        "Publish this config's resources to the database when starting and when its files change. Default true; false on instances that only run what others publish.",
    }),
  })
  .meta({ description: 'Several instances on one PostgreSQL database (only with a postgres store).' });

export type StoreSection = z.infer<typeof storeSchema>;
export type ClusterSection = z.infer<typeof clusterSchema>;

/** Where the state lives, resolved. */
export type StoreConfig =
  | { readonly kind: 'file' }
  | {
      readonly kind: 'postgres';
      /** The URL as written; `undefined`: from the `PG*` environment variables. */
      readonly url: string | undefined;
      readonly cluster: {
        readonly id: string | undefined;
        readonly shards: number;
        readonly leaseTtlMs: number;
        readonly renewEveryMs: number;
        readonly publish: boolean;
      };
    };

/**
 * `store:` and `cluster:` as written (each already valid on its own), with the checks that take
 * both: `cluster:` needs a postgres store, and a lease is renewed at least three times.
 */
export function resolveStore(
  store: StoreSection | undefined,
  cluster: ClusterSection | undefined,
  locate: (path: (string | number)[]) => SourcePosition,
): { store: StoreConfig; issues: ConfigIssue[]; secrets: string[] } {
  const issues: ConfigIssue[] = [];
  if (store === undefined || store === 'file') {
    if (cluster !== undefined) {
      issues.push(
        issue(
          'invalid-value',
          locate(['cluster']),
          'cluster: applies only to a postgres store',
          'set store: postgres://USER@HOST:5432/DATABASE (or store: postgres), or remove cluster:',
        ),
      );
    }
    return { store: { kind: 'file' }, issues, secrets: [] };
  }
  const leaseTtlMs =
    cluster?.leaseTtl === undefined ? CLUSTER_DEFAULTS.leaseTtlMs : durationMs(cluster.leaseTtl);
  const renewEveryMs =
    cluster?.renewEvery === undefined
      ? Math.min(CLUSTER_DEFAULTS.renewEveryMs, Math.floor(leaseTtlMs / 3))
      : durationMs(cluster.renewEvery);
  if (renewEveryMs * 3 > leaseTtlMs) {
    issues.push(
      issue(
        'invalid-value',
        locate(['cluster', cluster?.renewEvery === undefined ? 'leaseTtl' : 'renewEvery']),
        `renewEvery ${formatDuration(renewEveryMs)} is more than a third of leaseTtl ${formatDuration(leaseTtlMs)}: a lease would end before it is renewed often enough`,
        `write renewEvery: ${formatDuration(Math.floor(leaseTtlMs / 3))} or less, or a longer leaseTtl`,
      ),
    );
  }
  const url = store === 'postgres' ? undefined : store;
  const password = url === undefined ? undefined : passwordOf(url);
  return {
    store: {
      kind: 'postgres',
      url,
      cluster: {
        id: cluster?.id,
        shards: cluster?.shards ?? CLUSTER_DEFAULTS.shards,
        leaseTtlMs,
        renewEveryMs,
        publish: cluster?.publish ?? true,
      },
    },
    issues,
    secrets: password === undefined ? [] : [password],
  };
}

function isPostgresUrl(text: string): boolean {
  if (!/^postgres(ql)?:\/\//.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

function passwordOf(url: string): string | undefined {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}

/** A URL as it may be shown: its password replaced. */
export function redactUrl(text: string): string {
  return text.replace(/^(postgres(?:ql)?:\/\/[^:/@]*:)[^@]*@/, '$1[redacted]@');
}
