import type { Provider } from '../contract/provider.js';
import { parseKey } from '../contract/resource.js';
import { type MemoryProvider, memoryProvider } from '../providers/index.js';
import type { Clock } from '../time/clock.js';
import { seededRandom } from '../time/random.js';
import { type CallObserver, checkingProvider } from './checking-provider.js';
import type { ResolvedSimOptions } from './sim-options.js';
import type { Workload } from './workload.js';
import { outageWindows, subSeed } from './world.js';

/**
 * The world a simulation reconciles: one memory provider per kind, holding at the start what
 * the workload says existed before (managed objects with an old spec, and unmanaged ones that
 * are never desired). While the fault window is open each provider injects the configured
 * faults, with outages of its own at random times; {@link SimWorld.faultsOff} closes it.
 */
export class SimWorld {
  /** The memory providers, by kind. */
  readonly memories = new Map<string, MemoryProvider>();
  /** Keys of the objects that are never desired: nothing but observe may touch them. */
  readonly unmanaged = new Set<string>();
  /** Objects that existed before the start, by key: the very (frozen) objects stored. */
  readonly #seeded = new Map<string, object>();

  constructor(o: ResolvedSimOptions, workload: Workload, clock: Clock) {
    const { outages: _, outageMs: __, ...rates } = o.faults;
    workload.kinds.forEach((kind, i) => {
      const { managed, unmanaged } = workload.initialWorld(kind);
      const outage = outageWindows(
        seededRandom(subSeed(o.seed, 100 + i)),
        o.faults.outages ?? 0,
        o.faultWindow,
        o.faults.outageMs ?? [0, 0],
      );
      const memory = memoryProvider({
        kind,
        clock,
        random: seededRandom(subSeed(o.seed, 200 + i)),
        faults: o.faultWindow > 0 ? { ...rates, outage } : undefined,
        initial: [...managed, ...unmanaged],
      });
      for (const name of [...managed.keys(), ...unmanaged.keys()])
        this.#seeded.set(`${kind}/${name}`, memory.store.get(name)!);
      for (const name of unmanaged.keys()) this.unmanaged.add(`${kind}/${name}`);
      this.memories.set(kind, memory);
    });
  }

  /** The providers the runtime is given: each memory provider, wrapped to report to `observer`. */
  providers(observer: CallObserver): Provider[] {
    return [...this.memories.values()].map((memory) => checkingProvider(memory, observer));
  }

  /** Every object in the world now, by key. */
  snapshot(): Map<string, object> {
    const world = new Map<string, object>();
    for (const [kind, memory] of this.memories)
      for (const [name, spec] of memory.store) world.set(`${kind}/${name}`, spec);
    return world;
  }

  /** The object at `key` now, if there is one. */
  objectAt(key: string): object | undefined {
    const { kind, name } = parseKey(key);
    return this.memories.get(kind)?.store.get(name);
  }

  /** The object that stood at `key` before the start, if there was one. */
  seeded(key: string): object | undefined {
    return this.#seeded.get(key);
  }

  /** Close the fault window: from now on every call goes through. */
  faultsOff(): void {
    for (const memory of this.memories.values()) memory.setFaults(undefined);
  }

  /** Calls that drew the zombie fault, in every memory provider. */
  get zombies(): number {
    let zombies = 0;
    for (const memory of this.memories.values()) zombies += memory.zombies;
    return zombies;
  }

  /** Writes another writer undid (`flapRate`), in every memory provider. */
  get reverts(): number {
    let reverts = 0;
    for (const memory of this.memories.values()) reverts += memory.reverts;
    return reverts;
  }

  /** Calls the memory providers saw start while another for the same name was running. */
  get overlaps(): number {
    let overlaps = 0;
    for (const memory of this.memories.values()) overlaps += memory.overlaps;
    return overlaps;
  }
}
