import type { Emitter } from 'nanoevents';
import type { PassResult } from '../actors/notices.js';
import type { ResourceRecord } from '../actors/record.js';
import type { ResourceStatus } from '../actors/status.js';
import { describeError } from '../contract/errors.js';
import { parseKey } from '../contract/resource.js';
import { type RestartBackoff, restartBackoff } from '../supervisor/index.js';
import type { TimerHandle } from '../time/clock.js';
import { crashLoopStatus } from './crash-loop-status.js';
import type { DesiredTable } from './desired-table.js';
import type { RuntimeEvents } from './events.js';
import type { RuntimeMetrics } from './metrics.js';
import type { RuntimeSettings } from './options.js';

/** What the crash-loop bookkeeping needs from the supervision tree. */
export interface CrashLoopHost {
  /** Start `key`'s actor again. */
  restart(key: string, kind: string): void;
  /** Too many distinct resources of `kind` crash: the kind's supervisor fails, and the root decides. */
  escalate(kind: string, error: Error): void;
  /** How many resources of `kind` have an actor now (running or starting). */
  actors(kind: string): number;
}

/** A kind failed as a whole: more of its resources crashed, close together, than one bad value explains. */
export class SystemicCrashError extends Error {
  override readonly name = 'SystemicCrashError';
}

/** One resource whose actor crashed, and has not yet run long enough to be forgiven. */
interface Loop {
  readonly kind: string;
  /** Crashes in a row (an incarnation that ran `resetAfterMs` before crashing starts over at 1). */
  crashes: number;
  /** When its current (or last) incarnation started. */
  startedAt: number;
  error: string;
  /** While it waits to be restarted: when. */
  restartAt: number | undefined;
  timer: TimerHandle | undefined;
  /** Shown Degraded (reason `CrashLoop`) until an incarnation finishes a pass. */
  degraded: boolean;
}

/** Per kind: which resources crashed lately (key → last crash, oldest first), and how many wait. */
interface KindCrashes {
  readonly recent: Map<string, number>;
  waiting: number;
}

/**
 * Crash loops, as Kubernetes' CrashLoopBackOff handles them, one resource at a time. A crashed
 * resource actor is not restarted by its kind's supervisor (resource actors are `temporary`
 * children): it comes here. The first crash restarts it at once, as OTP would; each further crash
 * in a row waits longer (the restart backoff: 1 s doubling to 5 min by default), and after
 * `crashLoopAfter` crashes in a row the resource is Degraded with reason `CrashLoop`. It keeps
 * being restarted at the capped delay, so it recovers once the fault is fixed; an incarnation
 * that finishes a pass clears the condition, one that runs `resetAfterMs` clears the count.
 *
 * One resource's crashes never add up to an escalation. Only a systemic failure does: more than
 * max(`maxRestarts`, `systemicShare` × the kind's resources) distinct resources of a kind
 * crashing within `withinMs`. Then the kind's supervisor fails and the root restarts it, under
 * the root's own OTP intensity. The choice: `docs/decisions/0013-crash-loops.md`.
 */
export class CrashLoops {
  readonly #loops = new Map<string, Loop>();
  readonly #kinds = new Map<string, KindCrashes>();
  readonly #backoff: RestartBackoff;
  #host: CrashLoopHost | undefined = undefined;

  constructor(
    private readonly s: RuntimeSettings,
    private readonly table: DesiredTable,
    private readonly emitter: Emitter<RuntimeEvents>,
    private readonly metrics: RuntimeMetrics,
  ) {
    this.#backoff = restartBackoff(s.supervision.restartBackoff, s.random);
  }

  attach(host: CrashLoopHost): void {
    this.#host = host;
  }

  /** Any resource has crashed and not been forgiven yet (the hot path checks this first). */
  get active(): boolean {
    return this.#loops.size > 0;
  }

  /** Resources of `kind` waiting for their restart. */
  waiting(kind: string): number {
    return this.#kinds.get(kind)?.waiting ?? 0;
  }

  /** `key` is Degraded (reason `CrashLoop`) and waits for its next restart. */
  looping(key: string): boolean {
    const loop = this.#loops.get(key);
    return loop?.degraded === true && loop.restartAt !== undefined;
  }

  /** `key`'s actor (re)started. */
  started(key: string): void {
    const loop = this.#loops.get(key);
    if (loop) loop.startedAt = this.s.clock.now();
  }

  /** `key`'s actor crashed with `error`: restart it after its backoff, or escalate its kind. */
  crashed(key: string, kind: string, error: unknown): void {
    const { clock, supervision } = this.s;
    const now = clock.now();
    let loop = this.#loops.get(key);
    if (!loop) {
      loop = {
        kind,
        crashes: 0,
        startedAt: now,
        error: '',
        restartAt: undefined,
        timer: undefined,
        degraded: false,
      };
      this.#loops.set(key, loop);
    }
    loop.crashes = loop.crashes === 0 ? 1 : this.#backoff.next(loop.crashes, loop.startedAt, now);
    loop.error = describeError(error);
    const crashing = this.#recent(kind, key, now);
    const limit = Math.max(supervision.maxRestarts, Math.ceil(supervision.systemicShare * this.#size(kind)));
    if (crashing > limit) {
      this.#host?.escalate(
        kind,
        new SystemicCrashError(
          `${crashing} resources of kind "${kind}" crashed within ${supervision.withinMs} ms (more than ${limit}); the last, ${key}: ${loop.error}`,
        ),
      );
      return;
    }
    const delayMs = loop.crashes <= 1 ? 0 : this.#backoff.delay(loop.crashes - 1);
    this.#wait(key, loop, delayMs);
    if (loop.crashes < supervision.crashLoopAfter) return;
    const base = this.#base(key, now);
    if (!loop.degraded) {
      loop.degraded = true;
      this.metrics.crashLoop(kind);
      if (this.#has('degraded'))
        this.emitter.emit('degraded', { ...base, reason: 'CrashLoop', rollback: false });
    }
    if (this.#has('actor:crashloop')) {
      this.emitter.emit('actor:crashloop', { ...base, crashes: loop.crashes, delayMs, error: loop.error });
    }
  }

  /** `actor` finished a pass: it no longer crashes on every pass. */
  passed(actor: ResourceRecord, result: PassResult): void {
    const loop = this.#loops.get(actor.key);
    if (!loop || loop.restartAt !== undefined) return;
    const now = this.s.clock.now();
    if (loop.degraded) {
      loop.degraded = false;
      if ((result === 'in-sync' || result === 'applied') && this.#has('recovered')) {
        this.emitter.emit('recovered', this.#base(actor.key, now));
      }
    }
    if (now - loop.startedAt >= this.s.supervision.restartBackoff.resetAfterMs) this.#loops.delete(actor.key);
  }

  /** `key` is no longer managed: no restart is due for it. */
  forget(key: string): void {
    const loop = this.#loops.get(key);
    if (!loop) return;
    this.#cancel(loop);
    this.#loops.delete(key);
  }

  /** `kind`'s supervisor (re)starts and starts every actor of the kind: no restart is due. */
  resetKind(kind: string): void {
    for (const loop of this.#loops.values()) if (loop.kind === kind) this.#cancel(loop);
    this.#kinds.delete(kind);
  }

  /** The runtime stops: cancel every restart still due. */
  close(): void {
    for (const loop of this.#loops.values()) this.#cancel(loop);
    this.#kinds.clear();
  }

  /** `status` as a crash loop shows it (see `crash-loop-status.ts`). */
  status(status: ResourceStatus): ResourceStatus {
    const loop = this.#loops.get(status.key);
    return loop?.degraded ? crashLoopStatus(status, loop.error, loop.restartAt) : status;
  }

  #wait(key: string, loop: Loop, delayMs: number): void {
    const { clock } = this.s;
    this.#cancel(loop);
    loop.restartAt = clock.now() + delayMs;
    this.#kind(loop.kind).waiting++;
    const restart = () => {
      loop.timer = undefined;
      this.#cancel(loop);
      this.#host?.restart(key, loop.kind);
    };
    if (delayMs > 0) {
      loop.timer = clock.setTimeout(restart, delayMs);
      return;
    }
    // The first crash restarts at once, as OTP does: once the supervisor's step is over, not on
    // a timer (a timer costs a turn of the event loop, and a process with nothing else to do
    // would exit before it fired).
    const waiting = loop.restartAt;
    queueMicrotask(() => {
      if (loop.restartAt === waiting && loop.timer === undefined) restart();
    });
  }

  #cancel(loop: Loop): void {
    if (loop.timer !== undefined) this.s.clock.clearTimeout(loop.timer);
    loop.timer = undefined;
    if (loop.restartAt === undefined) return;
    loop.restartAt = undefined;
    const kind = this.#kinds.get(loop.kind);
    if (kind) kind.waiting--;
  }

  /** Note `key`'s crash at `now`; how many distinct resources of `kind` crashed within the window. */
  #recent(kind: string, key: string, now: number): number {
    const { recent } = this.#kind(kind);
    recent.delete(key);
    recent.set(key, now);
    const from = now - this.s.supervision.withinMs;
    for (const [k, at] of recent) {
      if (at > from) break;
      recent.delete(k);
    }
    return recent.size;
  }

  /** The kind's resources: those with an actor, and those waiting for one. */
  #size(kind: string): number {
    return (this.#host?.actors(kind) ?? 0) + this.waiting(kind);
  }

  #kind(kind: string): KindCrashes {
    let k = this.#kinds.get(kind);
    if (!k) {
      k = { recent: new Map(), waiting: 0 };
      this.#kinds.set(kind, k);
    }
    return k;
  }

  #has(event: keyof RuntimeEvents): boolean {
    return (this.emitter.events[event]?.length ?? 0) > 0;
  }

  #base(key: string, at: number) {
    const { kind, name } = parseKey(key);
    return { key, kind, name, generation: this.table.entries.get(key)?.generation ?? 0, at };
  }
}
