import type { Runtime, RuntimeEvents } from '../runtime/index.js';

type Payload<E extends keyof RuntimeEvents> = Parameters<RuntimeEvents[E]>[0];

/** Every event the runtime emits: the simulation records them all. */
export const RUNTIME_EVENTS = [
  'reconcile:start',
  'reconcile:done',
  'action:applied',
  'action:failed',
  'resource:synced',
  'resource:deleted',
  'resource:adopted',
  'drift',
  'degraded',
  'resource:unhealthy',
  'hotloop',
  'hotloop:ended',
  'recovered',
  'plan:computed',
  'actor:crashed',
  'actor:crashloop',
  'actor:restarted',
  'supervisor:escalated',
  'desired:accepted',
  'desired:rejected',
  'deletion:held',
  'deletion:approved',
  'runtime:failed',
] as const satisfies readonly (keyof RuntimeEvents)[];

// A new event in RuntimeEvents that is missing above fails to compile here.
type Unwatched = Exclude<keyof RuntimeEvents, (typeof RUNTIME_EVENTS)[number]>;
const everyEventWatched: [Unwatched] extends [never] ? true : Unwatched = true;
void everyEventWatched;

export interface EventHandlers {
  /** Write a trace line; returns its step. */
  record(atMs: number, text: string): number;
  failed(e: Payload<'action:failed'>, step: number): void;
  crashed(e: Payload<'actor:crashed'>, step: number): void;
  restarted(e: Payload<'actor:restarted'>, step: number): void;
  escalated(e: Payload<'supervisor:escalated'>, step: number): void;
  runtimeFailed(e: Payload<'runtime:failed'>, step: number): void;
  degraded(e: Payload<'degraded'>, step: number): void;
  passStarted(e: Payload<'reconcile:start'>, step: number): void;
  passDone(e: Payload<'reconcile:done'>, step: number): void;
  /** A resource became Ready, or is gone. */
  settled(e: { type: 'synced' | 'deleted'; key: string }): void;
}

export interface EventCounts {
  readonly failures: number;
  readonly crashes: number;
  readonly restarts: number;
  readonly escalations: number;
  /** `hotloop` events: a resource kept being applied at one generation without staying in sync. */
  readonly hotLoops: number;
  /** `hotloop:ended` events: a hot loop held. */
  readonly hotLoopsEnded: number;
  readonly runtimeFailed: boolean;
}

/**
 * Subscribe to every runtime event: each becomes a trace line (name and payload as JSON; the
 * supervision tree of `runtime:failed` is left out, it is large and says nothing new), is
 * counted, and the ones the checks need are handed on.
 */
export function watchEvents(rt: Runtime, on: EventHandlers): EventCounts {
  const counts = {
    failures: 0,
    crashes: 0,
    restarts: 0,
    escalations: 0,
    hotLoops: 0,
    hotLoopsEnded: 0,
    runtimeFailed: false,
  };
  const line = (name: string, e: { at: number }): number => on.record(e.at, `! ${name} ${JSON.stringify(e)}`);
  for (const name of RUNTIME_EVENTS) {
    switch (name) {
      case 'action:failed':
        rt.on(name, (e) => {
          counts.failures++;
          on.failed(e, line(name, e));
        });
        break;
      case 'actor:crashed':
        rt.on(name, (e) => {
          counts.crashes++;
          on.crashed(e, line(name, e));
        });
        break;
      case 'actor:restarted':
        rt.on(name, (e) => {
          counts.restarts++;
          on.restarted(e, line(name, e));
        });
        break;
      case 'supervisor:escalated':
        rt.on(name, (e) => {
          counts.escalations++;
          on.escalated(e, line(name, e));
        });
        break;
      case 'runtime:failed':
        rt.on(name, (e) => {
          counts.runtimeFailed = true;
          on.runtimeFailed(e, line(name, { error: e.error, at: e.at } as { at: number }));
        });
        break;
      case 'hotloop':
        rt.on(name, (e) => {
          counts.hotLoops++;
          line(name, e);
        });
        break;
      case 'hotloop:ended':
        rt.on(name, (e) => {
          counts.hotLoopsEnded++;
          line(name, e);
        });
        break;
      case 'degraded':
        rt.on(name, (e) => on.degraded(e, line(name, e)));
        break;
      case 'reconcile:start':
        rt.on(name, (e) => on.passStarted(e, line(name, e)));
        break;
      case 'reconcile:done':
        rt.on(name, (e) => on.passDone(e, line(name, e)));
        break;
      case 'resource:synced':
      case 'resource:deleted':
        rt.on(name, (e) => {
          line(name, e);
          on.settled({ type: name === 'resource:synced' ? 'synced' : 'deleted', key: e.key });
        });
        break;
      default:
        rt.on(name, (e: { at: number }) => {
          line(name, e);
        });
    }
  }
  return counts;
}
