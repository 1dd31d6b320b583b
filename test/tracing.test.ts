import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { createRuntime } from '../src/runtime/index.js';
import { TestClock } from '../src/time/test-clock.js';
import { mapProvider, startScripted, stopAfterEach, user } from './helpers/runtime-harness.js';

const track = stopAfterEach();

function sdk() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider };
}

/** Each pass span with the names of its children, in the order they started. */
function passes(spans: readonly ReadableSpan[]) {
  const byStart = [...spans].sort((a, b) => compareTime(a.startTime, b.startTime));
  return byStart
    .filter((s) => s.name === 'setpoint.reconcile')
    .map((pass) => ({
      pass,
      children: byStart.filter((s) => s.parentSpanContext?.spanId === pass.spanContext().spanId),
    }));
}

function compareTime(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

afterEach(() => {
  trace.disable(); // the global provider a test registered
});

describe('tracing through @opentelemetry/api', () => {
  it('makes a span per pass and a child span per provider call: a create, an update, a failure', async () => {
    const { exporter, provider } = sdk();
    const { clock, sys, rt } = await startScripted(track, { tracer: provider.getTracer('test') });
    await rt.start();
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    await rt.settled();
    rt.setDesired([user('alice', { role: 'dev' })]);
    await clock.advance(0);
    await rt.settled();
    sys.failNext('update', 1, () => new Error('the directory said no'));
    rt.setDesired([user('alice', { role: 'ops' })]);
    await clock.advance(0);
    await rt.settled();

    const seen = passes(exporter.getFinishedSpans());
    expect(
      seen.map(({ pass, children }) => ({
        attributes: pass.attributes,
        status: pass.status.code,
        calls: children.map((c) => c.name),
      })),
    ).toEqual([
      {
        attributes: {
          'setpoint.kind': 'user',
          'setpoint.name': 'alice',
          'setpoint.generation': 1,
          'setpoint.action': 'create',
          'setpoint.result': 'applied',
        },
        status: 0, // UNSET
        // observe, create, and the observe that verifies the change (the provider has health)
        calls: ['setpoint.provider.observe', 'setpoint.provider.create', 'setpoint.provider.observe'],
      },
      {
        attributes: {
          'setpoint.kind': 'user',
          'setpoint.name': 'alice',
          'setpoint.generation': 2,
          'setpoint.action': 'update',
          'setpoint.result': 'applied',
        },
        status: 0,
        calls: ['setpoint.provider.observe', 'setpoint.provider.update', 'setpoint.provider.observe'],
      },
      {
        attributes: {
          'setpoint.kind': 'user',
          'setpoint.name': 'alice',
          'setpoint.generation': 3,
          'setpoint.action': 'update',
          'setpoint.result': 'failed',
        },
        status: 2, // ERROR
        calls: ['setpoint.provider.observe', 'setpoint.provider.update'],
      },
    ]);
    // Every span of a pass is in the pass's trace, and every call names its resource.
    for (const { pass, children } of seen) {
      for (const child of children) {
        expect(child.spanContext().traceId).toBe(pass.spanContext().traceId);
        expect(child.attributes).toMatchObject({ 'setpoint.kind': 'user', 'setpoint.name': 'alice' });
      }
    }
    // The failure: the call that failed and its pass are ERROR, the error recorded on both.
    const failedPass = seen[2]!;
    const failedCall = failedPass.children[1]!;
    expect(failedCall.status).toEqual({ code: 2, message: 'the directory said no' });
    expect(failedCall.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([
      ['exception', 'the directory said no'],
    ]);
    expect(failedPass.pass.status).toEqual({ code: 2, message: 'the directory said no' });
    expect(failedPass.pass.events.map((e) => e.name)).toEqual(['exception']);
    expect(failedPass.children[0]!.status.code).toBe(0);
  });

  it("uses the global tracer provider's tracer for setpoint when one is registered, unless told not to", async () => {
    const { exporter, provider } = sdk();
    trace.setGlobalTracerProvider(provider);
    const { clock, rt } = await startScripted(track);
    await rt.start();
    rt.setDesired([user('bob', { role: 'dev' })]);
    await clock.advance(0);
    await rt.settled();
    const [first] = passes(exporter.getFinishedSpans());
    expect(first?.pass.instrumentationScope.name).toBe('setpoint');
    expect(first?.pass.attributes['setpoint.action']).toBe('create');

    exporter.reset();
    const quiet = await startScripted(() => {}, { tracer: false });
    await quiet.rt.start();
    quiet.rt.setDesired([user('carol', { role: 'dev' })]);
    await quiet.clock.advance(0);
    await quiet.rt.settled();
    expect(quiet.sys.callsOf('create', 'carol')).toHaveLength(1);
    expect(exporter.getFinishedSpans()).toEqual([]);
    await quiet.rt.stop();
  });

  it('ends the span of a pass a deletion ends, with what it did', async () => {
    const { exporter, provider } = sdk();
    const { clock, rt } = await startScripted(track, { tracer: provider.getTracer('test') });
    await rt.start();
    rt.setDesired([user('alice', { role: 'admin' }), user('bob', { role: 'dev' })]);
    await clock.advance(0);
    await rt.settled();
    exporter.reset();
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    await rt.settled();
    const deletion = passes(exporter.getFinishedSpans()).find(
      (p) => p.pass.attributes['setpoint.name'] === 'bob',
    );
    expect(deletion?.pass.attributes).toMatchObject({
      'setpoint.action': 'delete',
      'setpoint.result': 'deleted',
    });
    expect(deletion?.children.map((c) => c.name)).toEqual([
      'setpoint.provider.observe',
      'setpoint.provider.delete',
    ]);
  });

  it('traces the calls of a frozen provider, whose methods cannot be reassigned', async () => {
    const { exporter, provider } = sdk();
    const clock = new TestClock();
    const world = new Map<string, Record<string, unknown>>();
    const rt = createRuntime({
      providers: [Object.freeze(mapProvider('user', world))],
      clock,
      tracer: provider.getTracer('test'),
    });
    track(rt, clock);
    await rt.start();
    rt.setDesired([user('dora', { role: 'dev' })]);
    await clock.advance(0);
    await rt.settled();
    expect(world.get('dora')).toEqual({ role: 'dev' });
    const [created] = passes(exporter.getFinishedSpans());
    expect(created?.children.map((c) => c.name)).toEqual([
      'setpoint.provider.observe',
      'setpoint.provider.create',
    ]);
  });

  it('refuses a tracer that is not one', () => {
    expect(() => createRuntime({ providers: [], tracer: {} as never })).toThrow(
      new TypeError('Expected `tracer` to be an OpenTelemetry Tracer or false, got `{}` (object)'),
    );
  });
});
