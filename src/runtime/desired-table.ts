import type { DependencyPort } from '../actors/ports.js';
import type { ResourceRecord } from '../actors/record.js';
import type { Resource } from '../contract/resource.js';
import type { DesiredView } from '../diff/desired-change.js';
import { type DesiredSetError, EMPTY_SET } from '../diff/rules.js';
import { sameResource } from '../diff/same-resource.js';
import type { StateStore } from '../store/index.js';
import type { DeletionBudget } from './deletion-budget.js';
import { Dependents } from './dependents.js';
import { type ActorStarter, Entry } from './desired-entry.js';

const NONE: ReadonlyMap<string, Resource> = new Map();

/** How the table starts and stops actors (the supervision tree does it). */
export interface ActorLauncher extends ActorStarter {
  launch(key: string, kind: string): void;
  /** Stop managing `key` without deleting it. */
  release(key: string, kind: string): void;
}

/** How the table tells each kind that many new resources are about to arrive at once. */
export interface Intake {
  begin(fresh: ReadonlyMap<string, number>): void;
  end(): void;
}

/** How a change of the desired set went: what it added, changed and removed, or why it was refused. */
export type SetDesiredResult =
  | { ok: true; added: number; changed: number; removed: number }
  | { ok: false; errors: readonly DesiredSetError[] };

/**
 * The desired set as the runtime holds it: one entry per key, the index of who depends on whom,
 * and one `apply` that both `setDesired` (a whole set) and `updateDesired` (a change) go
 * through, after the desired-set rules have checked them. It is also the actors' dependency
 * port: whether a resource's dependencies are Ready, whether its dependents are gone.
 */
export class DesiredTable implements DependencyPort {
  readonly entries = new Map<string, Entry>();
  /** key → keys that depend on it (from every live entry, removed ones included). */
  readonly #dependents = new Dependents();
  /** How many keys the desired set holds now (leaving ones not counted, revived ones are). */
  #live = 0;
  #launcher: ActorLauncher | undefined = undefined;
  #closed = false;

  constructor(
    private readonly store: StateStore,
    private readonly intake: Intake,
    private readonly policy: {
      readonly prune: boolean;
      readonly allowEmpty: boolean;
      readonly owns?: ((key: string) => boolean) | undefined;
      readonly readyElsewhere?: ((key: string) => boolean) | undefined;
    },
    private readonly budget: DeletionBudget,
  ) {}

  /** The supervision tree, which starts and stops the actors. */
  attach(launcher: ActorLauncher): void {
    this.#launcher = launcher;
  }

  /** What starts the entries' actors, once attached. */
  get launcher(): ActorLauncher | undefined {
    return this.#launcher;
  }

  /** What the rules check a change against: the set in force. */
  readonly view: DesiredView = {
    current: (key) => {
      const entry = this.entries.get(key);
      return entry?.removed ? entry.resurrect : entry?.held ? undefined : entry?.resource;
    },
    dependents: (key) => this.#dependents.of(key),
  };

  /** The keys a whole new set `next` takes out of the set in force. */
  leavingFor(next: ReadonlyMap<string, Resource>): string[] {
    const out: string[] = [];
    for (const key of this.entries.keys()) {
      if (!next.has(key) && this.view.current(key) !== undefined) out.push(key);
    }
    return out;
  }

  /**
   * Make `set` desired and take `remove` out, both already checked by the rules: start actors
   * for new keys, hand new generations to existing ones, delete (or release) what leaves.
   * `leftovers` (managed by an earlier run, not desired, not in the table) leave too: each gets
   * an actor that deletes it. Refuses a change that would leave nothing desired while deleting
   * what this runtime manages.
   */
  apply(
    set: ReadonlyMap<string, Resource>,
    remove: Iterable<string>,
    leftovers: ReadonlyMap<string, Resource> = NONE,
  ): SetDesiredResult {
    const leaving: [string, Entry][] = [];
    const unrevived: Entry[] = [];
    for (const key of remove) {
      const entry = this.entries.get(key)!;
      if (entry.removed)
        unrevived.push(entry); // desired again while deleting: not any more
      else leaving.push([key, entry]);
    }
    const fresh = new Map<string, number>(); // kind -> new keys, for the intake
    let arriving = 0; // keys not desired until now
    for (const [key, r] of set) {
      if (this.view.current(key) === undefined) arriving++;
      if (!this.entries.has(key)) fresh.set(r.kind, (fresh.get(r.kind) ?? 0) + 1);
    }
    const remaining = this.#live + arriving - leaving.length - unrevived.length;
    const { prune, allowEmpty } = this.policy;
    const deletes = leftovers.size > 0 || leaving.some(([key]) => this.store.get(key));
    if (prune && !allowEmpty && remaining === 0 && deletes) {
      return { ok: false, errors: [EMPTY_SET] };
    }
    let added = 0;
    let changed = 0;
    this.intake.begin(fresh);
    for (const [key, resource] of set) {
      const outcome = this.#put(key, resource);
      if (outcome === 'added') added++;
      else if (outcome === 'changed') changed++;
    }
    this.intake.end();
    for (const entry of unrevived) entry.resurrect = undefined;
    // What an earlier run left behind leaves too, under the same budget: each gets an actor, which
    // deletes it unless the budget holds it.
    const going: [string, Entry][] = [...leaving];
    for (const [key, resource] of leftovers) {
      this.#add(key, resource, 1);
      going.push([key, this.entries.get(key)!]);
    }
    for (const [key, entry] of this.budget.hold(going, (key) => this.#dependents.of(key))) {
      this.leave(key, entry);
    }
    this.#live = remaining;
    return { ok: true, added, changed, removed: leaving.length + unrevived.length + leftovers.size };
  }

  /** Make `resource` the desired one for `key`. */
  #put(key: string, resource: Resource): 'added' | 'changed' | 'same' {
    const entry = this.entries.get(key);
    if (!entry) {
      this.#add(key, resource, 1);
      return 'added';
    }
    if (entry.removed) {
      // Desired again while its delete runs: it comes back once the delete is done. Desired
      // again a second time before then is not a second arrival.
      const before = entry.resurrect;
      entry.resurrect = resource;
      if (before === undefined) return 'added';
      return sameResource(before, resource) ? 'same' : 'changed';
    }
    if (entry.held) {
      this.budget.revive(key, entry); // desired again while its delete was held: nothing to delete
      if (sameResource(entry.resource, resource)) return 'added';
    }
    if (sameResource(entry.resource, resource)) return 'same';
    const before = entry.resource.dependsOn;
    this.#dependents.link(key, before, false);
    this.#dependents.link(key, resource.dependsOn, true);
    entry.resource = resource;
    // A dependency this one no longer needs may be waiting for it to go before its delete.
    this.#wake(before, 'deleteBackoff');
    entry.generation++;
    entry.actor?.setDesired(resource, entry.generation);
    return 'changed';
  }

  /** A new entry and its actor. */
  #add(key: string, resource: Resource, generation: number): void {
    const entry = new Entry(key, resource, generation, this.policy.owns?.(key) === false, this);
    this.entries.set(key, entry);
    this.#dependents.link(key, resource.dependsOn, true);
    if (!entry.parked) this.#launcher?.launch(key, resource.kind);
  }

  /**
   * The keys this runtime owns changed: start an actor for each desired key it owns now and had
   * none for, and stop (without deleting anything) the actor of each key it no longer owns.
   */
  ownershipChanged(): { started: number; stopped: number } {
    const owns = this.policy.owns;
    let started = 0;
    let stopped = 0;
    if (owns === undefined) return { started, stopped };
    for (const [key, entry] of this.entries) {
      const mine = owns(key);
      if (mine && entry.parked) {
        entry.parked = false;
        entry.actor = undefined; // a fresh actor, not a restart
        entry.restarts = 0;
        this.#launcher?.launch(key, entry.resource.kind);
        started++;
      } else if (!mine && !entry.parked) {
        entry.parked = true;
        this.#launcher?.release(key, entry.resource.kind);
        entry.actor = undefined;
        stopped++;
      }
    }
    // A key another instance runs may have become Ready there: its dependents here look again.
    if (this.policy.readyElsewhere !== undefined)
      for (const [key, entry] of this.entries) if (entry.parked) this.becameReady(key);
    return { started, stopped };
  }

  /** `key` left the desired set: delete it if it is ours and prune is on, else release it. */
  leave(key: string, entry: Entry): void {
    entry.removed = true;
    if (this.policy.prune) {
      // The actor deletes it only if it is ours (in the inventory), once any operation in
      // flight, such as a create, has finished. An actor not started yet deletes from its start.
      entry.actor?.requestDelete();
    } else {
      // Not ours to delete (or prune is off): stop managing it, leave it in place.
      this.#launcher?.release(key, entry.resource.kind);
      this.release(key);
    }
  }

  /** An entry is gone for good (deleted or released): drop it, and wake what waited for it. */
  release(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.#dependents.link(key, entry.resource.dependsOn, false);
    this.#wake(entry.resource.dependsOn, 'deleteBackoff');
    const resource = entry.resurrect;
    if (resource) {
      queueMicrotask(() => {
        if (!this.#closed && !this.entries.has(key)) this.#add(key, resource, entry.generation + 1);
      });
    }
  }

  /** `key` became Ready: its dependents waiting for it look again. */
  becameReady(key: string): void {
    this.#wake(this.#dependents.of(key), 'waiting');
  }

  dependenciesReady(record: ResourceRecord): boolean {
    return (record.desired.dependsOn ?? []).every((dep) => {
      const entry = this.entries.get(dep);
      if (entry?.parked) return this.policy.readyElsewhere?.(dep) === true;
      return entry?.actor?.ready === true;
    });
  }

  dependentsRemain(record: ResourceRecord): boolean {
    return this.#dependents.of(record.key).size > 0;
  }

  /** The runtime stopped or failed: a resurrection due after this does not happen. */
  close(): void {
    this.#closed = true;
  }

  #wake(keys: Iterable<string> | undefined, phase: 'waiting' | 'deleteBackoff'): void {
    if (!keys) return;
    for (const key of keys) {
      const actor = this.entries.get(key)?.actor;
      if (actor?.phase === phase) actor.trigger();
    }
  }
}
