import type { ResourceActor } from '../actors/resource-actor.js';
import type { Resource } from '../contract/resource.js';
import type { ChildLink, ChildSpec, RestartType } from '../supervisor/index.js';

/** How an entry's actor is started: the supervision tree does it. */
export interface ActorStarter {
  /** Start a fresh actor for `key` under `link`. */
  startActor(key: string, kind: string, link: ChildLink): ResourceActor;
  /** How long an actor has to stop gracefully. */
  readonly shutdownMs: number;
}

const REMOVED = 1;
const HELD = 2;
const PARKED = 4;

/**
 * One key of the desired set, and the actor that keeps it so. The entry is also the actor's
 * child spec for its kind's dynamic supervisor: a process may hold a million of these, so one
 * object serves as both, its booleans packed into one number, `start` on the prototype.
 */
export class Entry implements ChildSpec {
  resource: Resource;
  generation: number;
  actor: ResourceActor | undefined = undefined;
  restarts = 0;
  /** Desired again while its delete was running: spawn afresh once it is gone. */
  resurrect: Resource | undefined = undefined;
  #bits = 0;

  constructor(
    /** The key (`kind/name`); the child's id. */
    readonly id: string,
    resource: Resource,
    generation: number,
    parked: boolean,
    private readonly starter: { readonly launcher: ActorStarter | undefined },
  ) {
    this.resource = resource;
    this.generation = generation;
    this.parked = parked;
  }

  /** Left the desired set; being deleted or released. */
  get removed(): boolean {
    return (this.#bits & REMOVED) !== 0;
  }
  set removed(on: boolean) {
    this.#set(REMOVED, on);
  }

  /** Left the desired set, but the deletion budget holds its delete: kept as it is. */
  get held(): boolean {
    return (this.#bits & HELD) !== 0;
  }
  set held(on: boolean) {
    this.#set(HELD, on);
  }

  /** Desired, but another instance owns its key: no actor here (see `RuntimeOptions.owns`). */
  get parked(): boolean {
    return (this.#bits & PARKED) !== 0;
  }
  set parked(on: boolean) {
    this.#set(PARKED, on);
  }

  // ── as a child spec ──────────────────────────────────────────────────────────────────────
  /** Restarted by the crash loops, never by the kind's supervisor. */
  get restart(): RestartType {
    return 'temporary';
  }

  get shutdown(): number | undefined {
    return this.starter.launcher?.shutdownMs;
  }

  start(link: ChildLink): ResourceActor {
    const launcher = this.starter.launcher;
    if (launcher === undefined) throw new Error(`${this.id}: no supervision tree to start it in`);
    return launcher.startActor(this.id, this.resource.kind, link);
  }

  #set(bit: number, on: boolean): void {
    this.#bits = on ? this.#bits | bit : this.#bits & ~bit;
  }
}
