import { context, type Span, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import type { Provider } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import type { ResourceRecord } from './record.js';

/** A pass under way, traced: its span and what it did so far. */
interface TracedPass {
  readonly span: Span;
  readonly generation: number;
  /** The change the pass made (`create`, `update`, `replace`, `delete`, `restart`), or `none`. */
  action: string;
  /** The last provider call that failed in this pass. */
  error: unknown;
}

/** The provider calls that change the world, and what they say the pass did. */
const CHANGES: Readonly<Record<string, string>> = {
  create: 'create',
  update: 'update',
  delete: 'delete',
  restart: 'restart',
};

/**
 * OpenTelemetry spans for one kind: a `setpoint.reconcile` span per pass, from `beginPass` to
 * `endPass`, and a child `setpoint.provider.<call>` span per provider call the pass makes.
 *
 * Made only when tracing is on (`RuntimeOptions.tracer`): when it is off, the host has none and
 * a pass pays one property read. Passes in flight are found by name (one pass at a time per
 * resource), so the resource's record carries nothing for tracing and the provider calls need
 * no change: they go through a provider that opens the child span (`provider`).
 */
export class PassTracing {
  readonly #passes = new Map<string, TracedPass>();

  constructor(
    private readonly tracer: Tracer,
    private readonly kind: string,
  ) {}

  /** A pass begins: open its span. */
  begin(a: ResourceRecord): void {
    const span = this.tracer.startSpan(
      'setpoint.reconcile',
      {
        attributes: {
          'setpoint.kind': this.kind,
          'setpoint.name': a.name,
          'setpoint.generation': a.generation,
        },
      },
      context.active(),
    );
    this.#passes.get(a.name)?.span.end(); // a pass left open (cannot happen; never leak a span)
    this.#passes.set(a.name, { span, generation: a.generation, action: 'none', error: undefined });
  }

  /** A delete begins: a pass of its own, unless it is part of one under way. */
  beginDelete(a: ResourceRecord): void {
    if (!this.#passes.has(a.name)) this.begin(a);
  }

  /**
   * A pass ended with `result`: close its span, ERROR if it failed, with the failing call's
   * error (or `error`, a crash) recorded on it. `planned` names the action of a pass that only
   * planned (a dry run).
   */
  end(a: ResourceRecord, result: string, error?: unknown): void {
    const pass = this.#passes.get(a.name);
    if (pass === undefined) return;
    this.#passes.delete(a.name);
    const { span } = pass;
    const action = pass.action === 'none' && result === 'planned' && a.plan ? a.plan.action : pass.action;
    span.setAttributes({ 'setpoint.action': action, 'setpoint.result': result });
    const failure = error ?? pass.error;
    if (result === 'failed' || result === 'crashed' || error !== undefined) {
      if (failure !== undefined) span.recordException(asException(failure));
      span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(failure ?? a.lastError ?? result) });
    }
    span.end();
  }

  /** Make the provider call `call` (`observe`, `create`, …, `list`) for `name` in a child span. */
  async call<T>(name: string, call: string, make: () => Promise<T>): Promise<T> {
    const pass = this.#passes.get(name);
    const attributes = {
      'setpoint.kind': this.kind,
      'setpoint.name': name,
      ...(pass ? { 'setpoint.generation': pass.generation } : {}),
    };
    const parent = pass ? trace.setSpan(context.active(), pass.span) : context.active();
    const span = this.tracer.startSpan(`setpoint.provider.${call}`, { attributes }, parent);
    if (pass) {
      const change = CHANGES[call];
      if (change !== undefined) {
        pass.action = change === 'create' && pass.action === 'delete' ? 'replace' : change;
      }
    }
    try {
      return await make();
    } catch (error) {
      if (pass) pass.error = error;
      span.recordException(asException(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(error) });
      throw error;
    } finally {
      span.end();
    }
  }

  /**
   * `provider` with its calls traced: `observe`, `create`, `update`, `delete` and `restart` each
   * in a child span of the pass of the resource they are called for. Everything else (`list`
   * is traced by the shared listing, which knows which pass asked) reads through to it.
   */
  provider(provider: Provider): Provider {
    const of = (ref: Resource) => ref.name;
    const calls: Partial<Provider> = {
      observe: (ref, ctx) => this.call(of(ref), 'observe', () => provider.observe(ref, ctx)),
      create: (desired, ctx) => this.call(of(desired), 'create', () => provider.create(desired, ctx)),
      update: (desired, current, changes, ctx) =>
        this.call(of(desired), 'update', () => provider.update(desired, current, changes, ctx)),
      delete: (current, ref, ctx) => this.call(of(ref), 'delete', () => provider.delete(current, ref, ctx)),
    };
    const restart = provider.restart;
    if (restart) {
      calls.restart = (current, desired, ctx) =>
        this.call(of(desired), 'restart', () => restart.call(provider, current, desired, ctx));
    }
    // Defined, not assigned: a frozen provider's methods cannot be shadowed by assignment.
    const own: PropertyDescriptorMap = {};
    for (const [name, value] of Object.entries(calls)) own[name] = { value, enumerable: true };
    return Object.create(provider, own) as Provider;
  }
}

function asException(error: unknown): Error | string {
  return error instanceof Error ? error : String(error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
