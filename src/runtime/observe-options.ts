import { type Tracer, trace } from '@opentelemetry/api';
import type { MachineInspector } from '../actors/ports.js';
import { describe } from '../contract/describe.js';
import { RUNTIME_DEFAULTS } from './defaults.js';
import { packageVersion } from './package-version.js';

/** How a runtime shows what it does: process metrics, traces, and its machines to an inspector. */
export interface ObserveOptions {
  /**
   * Add prom-client's default metrics of the Node process (CPU, memory, event loop lag, GC,
   * handles: `process_*` and `nodejs_*`) to the runtime's registry. Default false: a host that
   * collects them already keeps its own; the `setpoint` command turns them on. Skipped when the
   * registry has them already.
   */
  defaultMetrics?: boolean;
  /**
   * Where the `setpoint.reconcile` span of every pass and the `setpoint.provider.*` span of each
   * provider call go. Default: `trace.getTracer('setpoint', version)` of `@opentelemetry/api` if
   * the host has registered a tracer provider (an SDK) when the runtime is created, and no
   * tracing at all otherwise, which costs a pass nothing. `false`: no tracing.
   */
  tracer?: Tracer | false;
  /**
   * An xstate inspector (`createActor`'s `inspect`: a function or an observer), handed to every
   * resource machine when it wakes, so it sees their events, snapshots and transitions. A
   * machine hibernates between passes, and a tick on a resource in sync does not wake it: the
   * inspector sees the passes that do something. Default: none.
   */
  inspect?: MachineInspector;
}

/** The observe options checked, with their defaults. */
export interface ObserveSettings {
  readonly defaultMetrics: boolean;
  /** `undefined`: tracing is off. */
  readonly tracer: Tracer | undefined;
  readonly inspect: MachineInspector | undefined;
}

export function resolveObserveOptions(options: ObserveOptions): ObserveSettings {
  const { defaultMetrics = RUNTIME_DEFAULTS.defaultMetrics, tracer, inspect } = options;
  if (typeof defaultMetrics !== 'boolean') {
    throw new TypeError(`Expected \`defaultMetrics\` to be a boolean, got ${describe(defaultMetrics)}`);
  }
  if (tracer !== undefined && tracer !== false && typeof tracer?.startSpan !== 'function') {
    throw new TypeError(
      `Expected \`tracer\` to be an OpenTelemetry Tracer or false, got ${describe(tracer)}`,
    );
  }
  if (
    inspect !== undefined &&
    typeof inspect !== 'function' &&
    (typeof inspect !== 'object' || inspect === null)
  ) {
    throw new TypeError(`Expected \`inspect\` to be a function or an observer, got ${describe(inspect)}`);
  }
  return {
    defaultMetrics,
    tracer: tracer === false ? undefined : (tracer ?? globalTracer()),
    inspect,
  };
}

/**
 * `@opentelemetry/api`'s tracer for setpoint, or `undefined` while no tracer provider is
 * registered: the API's default is a no-op, and knowing that once spares every pass the spans
 * and attributes it would build for nothing. The global provider is a proxy that answers a
 * delegate tracer only once an SDK is registered.
 */
function globalTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider() as { getDelegateTracer?: (name: string) => Tracer | undefined };
  if (
    typeof provider.getDelegateTracer === 'function' &&
    provider.getDelegateTracer('setpoint') === undefined
  ) {
    return undefined;
  }
  return trace.getTracer('setpoint', packageVersion());
}
