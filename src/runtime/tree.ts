import type { Emitter } from 'nanoevents';
import type { ActorHost } from '../actors/ports.js';
import { ResourceActor } from '../actors/resource-actor.js';
import type { ChildSpec } from '../supervisor/index.js';
import {
  createDynamicSupervisor,
  createSupervisor,
  type DynamicSupervisor,
  type Supervisor,
  type SupervisorTree,
} from '../supervisor/index.js';
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
 * A crashed actor is restarted by its kind's supervisor, fresh, from the desired resource (its
 * record is gone: the new one looks at the world again). A kind whose actors crash too often
 * gives up, and the root restarts the kind, which starts an actor for every resource of the
 * kind again. If the root gives up too, the runtime has failed (`runtime:failed`).
 */
export class SupervisionTree implements ActorLauncher {
  #root: Supervisor | undefined = undefined;
  readonly #kinds = new Map<string, DynamicSupervisor>();

  constructor(
    private readonly settings: RuntimeSettings,
    private readonly table: DesiredTable,
    private readonly hosts: ReadonlyMap<string, ActorHost>,
    private readonly emitter: Emitter<RuntimeEvents>,
    private readonly metrics: RuntimeMetrics,
  ) {}

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
      if (e.supervisor === 'root') failed();
    });
    root.on('child:restarted', (e) => this.metrics.restart(e.supervisor));
    await root.start();
  }

  /** Start an actor for `key` (if its kind's supervisor runs; else it starts with the kind). */
  launch(key: string, kind: string): void {
    const sup = this.#kinds.get(kind);
    if (!sup) return;
    // A start that fails is the supervisor's business (it counts as a crash); never the caller's.
    try {
      const started = sup.startChild(this.#actorSpec(key, kind));
      if (started instanceof Promise) started.catch((error: unknown) => this.#startFailed(key, error));
    } catch (error) {
      this.#startFailed(key, error);
    }
  }

  /** Stop `key`'s actor without deleting anything. */
  release(key: string, kind: string): void {
    void Promise.resolve(this.#kinds.get(kind)?.terminateChild(key)).catch((error: unknown) =>
      this.settings.logger.error({ key, err: error }, 'resource actor failed to stop'),
    );
  }

  tree(): SupervisorTree | undefined {
    return this.#root?.tree();
  }

  /** Stop everything, children before parents, each within its shutdown time. */
  async stop(): Promise<void> {
    await this.#root?.stop();
  }

  #kindSpec(kind: string): ChildSpec {
    const { clock, random, supervision } = this.settings;
    return {
      id: kind,
      type: 'supervisor',
      restart: 'permanent',
      start: async (link) => {
        const sup = createDynamicSupervisor({
          id: kind,
          clock,
          random,
          maxRestarts: supervision.maxRestarts,
          withinMs: supervision.withinMs,
          ...(supervision.restartBackoff ? { restartBackoff: supervision.restartBackoff } : {}),
        });
        sup.on('supervisor:escalated', () => {
          if (this.emitter.events['supervisor:escalated']?.length) {
            this.emitter.emit('supervisor:escalated', { supervisor: kind, at: clock.now() });
          }
        });
        await sup.start(link);
        this.#kinds.set(kind, sup);
        // (Re)start an actor for every resource of this kind: after a supervisor restart, fresh ones.
        for (const [key, entry] of this.table.entries) {
          if (entry.resource.kind === kind) this.launch(key, kind);
        }
        return sup;
      },
    };
  }

  #actorSpec(key: string, kind: string): ChildSpec {
    return {
      id: key,
      restart: 'transient',
      shutdown: this.settings.shutdownMs,
      start: (link) => {
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
        actor.start();
        if (entry.removed) actor.requestDelete();
        return actor;
      },
    };
  }

  #startFailed(key: string, error: unknown): void {
    this.settings.logger.error({ key, err: error }, 'resource actor failed to start');
  }
}
