import type pg from 'pg';
import type { Provider } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import type { Runtime, RuntimeOptions } from '../runtime/index.js';
import type { Publication } from '../store/pg/publications.js';
import type { Published } from '../store/pg/resources.js';
import type { ShardManager } from '../store/pg/shard-manager.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';

/** What `startInstance` takes, says and gives. */

export interface InstanceOptions {
  /** The database every instance shares: a URL, or the connection's settings. */
  readonly url: string | pg.ClientConfig;
  /** Unique among the instances. */
  readonly id: string;
  /** The number of shards (the database keeps the first instance's). Default 64. */
  readonly shards?: number;
  /** How long a shard's lease lasts without renewal. Default 10 s. */
  readonly ttlMs?: number;
  /** How often leases are renewed and the desired set is read again. Default 2 s. */
  readonly tickMs?: number;
  /** How often changed statuses are written back. Default 250 ms. */
  readonly statusEveryMs?: number;
  readonly providers: readonly Provider[];
  readonly clock: Clock;
  readonly random: Random;
  /** Anything else for the runtime (interval, backoff, logger, …). */
  readonly runtime?: Partial<RuntimeOptions>;
  /** The secrets to seal in the state, and the key (shared by every instance) that seals them. */
  readonly secrets?: () => Iterable<string>;
  readonly key?: Uint8Array;
  /** Publish this desired set when joining (else the instance runs what the database holds). */
  readonly publish?: readonly Resource[];
  /** What happens to shards and publications, for a log. */
  readonly onEvent?: (event: InstanceEvent) => void;
}

export type InstanceEvent =
  | { readonly type: 'gained'; readonly shard: number; readonly epoch: number }
  | { readonly type: 'lost'; readonly shard: number; readonly epoch: number; readonly why: string }
  | {
      readonly type: 'published';
      readonly published: Published;
      readonly previous: Publication | undefined;
      readonly digest: string;
    }
  | { readonly type: 'error'; readonly during: string; readonly error: unknown }
  /** A session with the database was lost: every shard stopped, and the instance with them. */
  | { readonly type: 'disconnected'; readonly error: unknown };

/** One member of a group of instances: its runtime and its share of the shards. */
export interface Instance {
  readonly id: string;
  readonly runtime: Runtime;
  readonly manager: ShardManager;
  /** Renew, rebalance and read the desired set once (the timer does it every `tickMs`). */
  tick(): Promise<void>;
  /** Make `resources` the desired set in the database (idempotent), and run it. */
  publish(resources: readonly Resource[]): Promise<Published>;
  /** Write back the statuses that changed now (the timer does it every `statusEveryMs`). */
  flushStatus(): Promise<void>;
  /** In touch with the database: its leases are renewed in time (or it waits for shards). */
  inTouch(): boolean;
  /** Stop its actors, hand its shards over, disconnect. */
  stop(): Promise<void>;
  /** Disconnect at once, as a killed process would (for tests): no hand-over. */
  crash(): Promise<void>;
}
