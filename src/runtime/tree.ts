import type { Emitter } from 'nanoevents';
import type { ActorHost } from '../actors/ports.js';
import { ResourceActor } from '../actors/resource-actor.js';
import type { ChildLink, ChildSpec } from '../supervisor/index.js';
import {
  createDynamicSupervisor,
  createSupervisor,
  type DynamicSupervisor,
  type Supervisor,
  type SupervisorTree,
} from '../supervisor/index.js';
import type { CrashLoopHost, CrashLoops } from './crash-loops.js';
import type { ActorLauncher, DesiredTable } from './desired-table.js';
import type { RuntimeEvents } from './events.js';
import type { RuntimeMetrics } from './metrics.js';
import type { RuntimeSettings } from './options.js';

/**
 * The runtime's supervision tree:
 *
 * ```text
 * root (oneForOne)
 * ├── user   (dynamic supervisor: one resource actor per desired user)
 * │   ├── user/alice
 * │   └── user/bob
 * └── group  (dynamic supervisor)
 *     └── group/ops
 * ```
 *
 * Resource actors are `temporary` children of their kind's supervisor: a crashed one is
 * restarted by the crash-loop bookkeeping (`crash-loops.ts`), fresh, from the desired resource
 * (its record is gone: the new one looks at the world again), after a backoff of its own. One
 * resource's crashes never reach its kind's restart intensity. When many distinct resources of a
 * kind crash at once, the kind fails as a whole: its supervisor stops, and the root restarts it
 * (OTP semantics), which starts an actor for every resource of the kind again. If the root gives
 * up too, the runtime has failed (`runtime:failed`).
 */
export class SupervisionTree implements ActorLauncher, CrashLoopHost {
  #root: Supervisor | undefined = undefined;
  readonly #kinds = new Map<string, { readonly sup: DynamicSupervisor; readonly link: ChildLink }>();

  constructor(
    private readonly settings: RuntimeSettings,
    private readonly table: DesiredTable,
    private readonly hosts: ReadonlyMap<string, ActorHost>,
    private readonly emitter: Emitter<RuntimeEvents>,
    private readonly metrics: RuntimeMetrics,
    private readonly loops: CrashLoops,
  ) {
    loops.attach(this);
  }

  /** Start the root and one supervisor per kind. `failed` hears the root give up. */
  async start(failed: () => void): Promise<void> {
    const { clock, random } = this.settings;
    const root = createSupervisor({
      id: 'root',
      strategy: 'oneForOne',
      clock,
      random,
      children: [...this.hosts.keys()].map((kind) => this.#kindSpec(kind)),
    });
    this.#root = root;
    root.on('supervisor:escalated', (e) => {
      if (e.supervisor !== 'root') return;
      this.loops.close();
      failed();
    });
    root.on('child:restarted', (e) => this.metrics.restart(e.supervisor));
    await root.start();
  }

  /** Start an actor for `key` (if its kind's supervisor runs; else it starts with the kind). */
  launch(key: string, kind: string): void {
    const sup = this.#kinds.get(kind)?.sup;
    const entry = this.table.entries.get(key);
    if (!sup || !entry || entry.parked) return;
    // A start that fails is the supervisor's business (it counts as a crash); never the caller's.
    try {
      const started = sup.startChild(entry); // the entry is the actor's child spec
      if (started instanceof Promise) started.catch((error: unknown) => this.#startFailed(key, error));
    } catch (error) {
      this.#startFailed(key, error);
    }
  }

  /** Stop `key`'s actor without deleting anything. */
  release(key: string, kind: string): void {
    this.loops.forget(key);
    const stopping = Promise.resolve(this.#kinds.get(kind)?.sup.terminateChild(key)).then(
      () => undefined,
      (error: unknown) => this.settings.logger.error({ key, err: error }, 'resource actor failed to stop'),
    );
    this.#stopping.add(stopping);
    void stopping.finally(() => this.#stopping.delete(stopping));
  }

  readonly #stopping = new Set<Promise<void>>();

  /** Resolves once every actor being stopped now has stopped (its operation in flight settled). */
  async released(): Promise<void> {
    while (this.#stopping.size > 0) await Promise.all([...this.#stopping]);
  }

  tree(): SupervisorTree | undefined {
    return this.#root?.tree();
  }

  /** Stop everything, children before parents, each within its shutdown time. */
  async stop(): Promise<void> {
    this.loops.close();
    await this.#root?.stop();
  }

  /** CrashLoopHost: a crash-looping resource's backoff is over. */
  restart(key: string, kind: string): void {
    if (this.table.entries.has(key)) this.launch(key, kind);
  }

  /** CrashLoopHost: how many resources of `kind` have an actor. */
  actors(kind: string): number {
    return this.#kinds.get(kind)?.sup.countChildren().specs ?? 0;
  }

  /**
   * CrashLoopHost: too many resources of `kind` crash at once. Its supervisor stops every actor
   * of the kind and reports a crash to the root, which restarts it (or gives up) as OTP does.
   */
  escalate(kind: string, error: Error): void {
    const running = this.#kinds.get(kind);
    if (!running) return;
    this.#kinds.delete(kind);
    this.loops.resetKind(kind);
    if (this.emitter.events['supervisor:escalated']?.length) {
      this.emitter.emit('supervisor:escalated', { supervisor: kind, at: this.settings.clock.now() });
    }
    // Not from within the supervisor's own event: it finishes handling the exit first.
    void Promise.resolve()
      .then(() => running.sup.stop())
      .then(() => running.link.exit({ reason: 'crash', error }));
  }

  #kindSpec(kind: string): ChildSpec {
    const { clock, random } = this.settings;
    return {
      id: kind,
      type: 'supervisor',
      restart: 'permanent',
      start: async (link) => {
        // Its children are temporary: it restarts none itself, so its own intensity never trips.
        const sup = createDynamicSupervisor({ id: kind, clock, random });
        sup.on('child:exited', (e) => {
          if (e.exit.reason === 'crash') this.loops.crashed(e.child, kind, e.exit.error);
        });
        await sup.start(link);
        this.loops.resetKind(kind);
        this.#kinds.set(kind, { sup, link });
        // (Re)start an actor for every resource of this kind: after a supervisor restart, fresh ones.
        for (const [key, entry] of this.table.entries) {
          if (entry.resource.kind === kind) this.launch(key, kind);
        }
        return sup;
      },
    };
  }

  /** Start a fresh actor for `key` under `link` (its desired entry's `start`). */
  startActor(key: string, kind: string, link: ChildLink): ResourceActor {
    const entry = this.table.entries.get(key);
    const host = this.hosts.get(kind);
    if (!entry || !host) throw new Error(`${key}: no desired resource to start`);
    if (entry.actor) {
      entry.restarts++;
      this.metrics.restart(kind);
      if (this.emitter.events['actor:restarted']?.length) {
        this.emitter.emit('actor:restarted', {
          key,
          at: this.settings.clock.now(),
          restarts: entry.restarts,
        });
      }
    }
    const actor = new ResourceActor(host, entry.resource, entry.generation, link, entry.restarts);
    entry.actor = actor;
    this.loops.started(key);
    actor.start();
    if (entry.removed) actor.requestDelete();
    return actor;
  }

  /** How long an actor has to stop gracefully. */
  get shutdownMs(): number {
    return this.settings.shutdownMs;
  }

  #startFailed(key: string, error: unknown): void {
    this.settings.logger.error({ key, err: error }, 'resource actor failed to start');
  }
}
