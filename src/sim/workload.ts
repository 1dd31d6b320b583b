import type { Resource } from '../contract/resource.js';
import type { Random } from '../time/random.js';

const KIND_NAMES = ['app', 'db', 'queue', 'cache', 'dns', 'user', 'bucket', 'topic'];
const TIERS = ['web', 'worker', 'batch'];

export interface WorkloadOptions {
  readonly resources: number;
  readonly kinds: number;
  /** Objects per kind that exist and are never desired. */
  readonly unmanaged: number;
  /** Share (0..1) of resources that already exist, with an old spec, before the runtime starts. */
  readonly preexisting: number;
  readonly random: Random;
}

/** Share of resources desired at the start; the rest come and go with the changes. */
const INITIAL_SHARE = 0.9;
/** Per change, the share of resources whose spec changes, and whose membership flips. */
const SPEC_CHANGE = 0.05;
const MEMBERSHIP_FLIP = 0.02;

/**
 * The desired state a simulation feeds the runtime, and what exists before it starts — all from
 * one seeded `Random`, so the same seed gives the same sets in the same order.
 *
 * - `resources` resources, named `r0`, `r1`, … spread round-robin over `kinds` kinds; 90 % are
 *   desired at first.
 * - Each {@link Workload.change} gives a new whole desired set: about 5 % of the desired
 *   resources get a new spec (a new generation) and about 2 % of all resources join or leave.
 * - `preexisting`: a share of resources already exist in the world with an old spec (the
 *   runtime adopts and updates them — or, if they leave the desired set first, leaves them be).
 * - `unmanaged` objects per kind (`u0`, `u1`, …) exist and are never desired: they must never
 *   be touched.
 */
export class Workload {
  readonly kinds: readonly string[];
  readonly #count: number;
  readonly #random: Random;
  readonly #version: Uint32Array;
  readonly #present: Uint8Array;
  readonly #unmanaged: number;
  readonly #preexisting: number;

  constructor(options: WorkloadOptions) {
    this.kinds = Array.from({ length: options.kinds }, (_, i) => KIND_NAMES[i] ?? `kind${i}`);
    this.#count = options.resources;
    this.#random = options.random;
    this.#unmanaged = options.unmanaged;
    this.#preexisting = options.preexisting;
    this.#version = new Uint32Array(this.#count).fill(1);
    this.#present = new Uint8Array(this.#count);
    for (let i = 0; i < this.#count; i++) this.#present[i] = this.#random() < INITIAL_SHARE ? 1 : 0;
    this.#present[0] = 1; // never an empty set
  }

  kindOf(i: number): string {
    return this.kinds[i % this.kinds.length]!;
  }

  /** The current desired spec of resource `i`. */
  specOf(i: number): Record<string, unknown> {
    return { image: `${this.kindOf(i)}:v${this.#version[i]}`, replicas: 1 + (i % 3), tier: TIERS[i % 3] };
  }

  /** The whole desired set now. */
  desired(): Resource[] {
    const set: Resource[] = [];
    for (let i = 0; i < this.#count; i++) {
      if (this.#present[i] === 1) set.push({ kind: this.kindOf(i), name: `r${i}`, spec: this.specOf(i) });
    }
    return set;
  }

  /** Move to the next desired set (new specs, joins and leaves) and return it whole. */
  change(): Resource[] {
    let any = false;
    for (let i = 0; i < this.#count; i++) {
      const u = this.#random();
      if (u < MEMBERSHIP_FLIP) this.#present[i] = this.#present[i] === 1 ? 0 : 1;
      else if (u < MEMBERSHIP_FLIP + SPEC_CHANGE && this.#present[i] === 1) this.#version[i]!++;
      if (this.#present[i] === 1) any = true;
    }
    if (!any) this.#present[0] = 1;
    return this.desired();
  }

  /** Objects in the world before the runtime starts, per kind: name → spec. */
  initialWorld(kind: string): {
    managed: Map<string, Record<string, unknown>>;
    unmanaged: Map<string, Record<string, unknown>>;
  } {
    const managed = new Map<string, Record<string, unknown>>();
    const unmanaged = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < this.#count; i++) {
      if (this.kindOf(i) !== kind || !(this.#random() < this.#preexisting)) continue;
      managed.set(`r${i}`, { image: `${kind}:legacy`, replicas: 1, tier: TIERS[i % 3] });
    }
    for (let j = 0; j < this.#unmanaged; j++) unmanaged.set(`u${j}`, { owner: 'not-setpoint', index: j });
    return { managed, unmanaged };
  }
}
