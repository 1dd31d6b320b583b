import type { Resource } from '../../contract/resource.js';

/**
 * A resource as the desired-state API holds it: the resource itself, its labels, the source
 * that declares it, and the counters a client needs (`resourceVersion` for optimistic locking
 * and watching, `generation` for spec changes, `observedGeneration` for what the runtime has
 * acted on), with the status the runtime wrote back.
 */
export interface StoredObject {
  readonly resource: Resource;
  readonly labels: Readonly<Record<string, string>>;
  /** `config` (the config's resource files), `api`, or another writer's name. */
  readonly source: string;
  /** Grows with every change of the spec (never with labels or status). */
  readonly generation: number;
  /** Grows with every write of any part, across the whole store: the version of the write. */
  readonly resourceVersion: number;
  /** The generation the last completed pass acted on; 0 before the first. */
  readonly observedGeneration: number;
  readonly status: Readonly<Record<string, unknown>> | undefined;
}
