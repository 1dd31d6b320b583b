/**
 * The anchor a naive design would give: one raw xstate v5 actor per resource, each ticking
 * with an `after` delayed transition (±10 % jitter) and comparing its desired spec with the
 * current object. Same resources, same store, same compare and the same counts as the
 * setpoint run in `bench/actors.ts`.
 *
 * Two variants of "observe":
 * - `action`: read the current object from the provider's store and compare, in an action
 *   (`assign`), synchronously;
 * - `invoke`: enter an `observing` state that invokes `provider.observe` (`fromPromise`) and
 *   compares on `onDone`, the way a real provider call would run.
 *
 *   node --expose-gc --import tsx bench/xstate-anchor.ts [--variant action|invoke] [--count 100000]
 *     [--seconds 10] [--interval 1000] [--json]
 */
import { parseArgs } from 'node:util';
import { type AnyActorRef, assign, createActor, fromPromise, setup } from 'xstate';
import type { Observed, ProviderContext } from '../src/contract/provider.js';
import type { Resource } from '../src/contract/resource.js';
import { isInSync } from '../src/diff/compare.js';
import { memoryProvider } from '../src/providers/memory.js';
import { systemClock } from '../src/time/clock.js';
import { seededRandom } from '../src/time/random.js';
import { makeResources, silentLogger } from './lib/fixtures.js';
import { heapAfterGc, measureTicks, nowMs, progress, report, sleep } from './lib/measure.js';

const { values } = parseArgs({
  options: {
    variant: { type: 'string', default: 'action' },
    count: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    interval: { type: 'string', default: '1000' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.count);
const SECONDS = Number(values.seconds);
const INTERVAL = Number(values.interval);
const variant = values.variant;
if (variant !== 'action' && variant !== 'invoke') {
  throw new TypeError(`Expected \`--variant\` to be action or invoke, got \`${variant}\``);
}

const resources = makeResources(N);
const provider = memoryProvider({
  kind: 'app',
  clock: systemClock,
  random: seededRandom(1),
  initial: resources.map((r) => [r.name, r.spec as Record<string, unknown>] as const),
});
const ctx: ProviderContext = {
  signal: new AbortController().signal,
  clock: systemClock,
  log: silentLogger(),
};
const random = seededRandom(3);
let ticks = 0;

interface Context {
  readonly resource: Resource;
  readonly inSync: boolean;
}

const compare = (resource: Resource, current: Observed | undefined) =>
  current !== undefined && isInSync(resource.spec as Record<string, unknown>, current);

const base = setup({
  types: { context: {} as Context, input: {} as { resource: Resource } },
  delays: {
    first: () => INTERVAL * random(),
    tick: () => INTERVAL * (0.9 + 0.2 * random()),
  },
  actors: {
    observe: fromPromise<Observed | undefined, Resource>(({ input }) => provider.observe(input, ctx)),
  },
});

const actionMachine = base.createMachine({
  id: 'resource',
  context: ({ input }) => ({ resource: input.resource, inSync: false }),
  initial: 'starting',
  states: {
    starting: { after: { first: 'idle' } },
    idle: {
      after: {
        tick: {
          target: 'idle',
          reenter: true,
          actions: assign(({ context }) => {
            ticks++;
            return { inSync: compare(context.resource, provider.store.get(context.resource.name)) };
          }),
        },
      },
    },
  },
});

const invokeMachine = base.createMachine({
  id: 'resource',
  context: ({ input }) => ({ resource: input.resource, inSync: false }),
  initial: 'starting',
  states: {
    starting: { after: { first: 'observing' } },
    idle: { after: { tick: 'observing' } },
    observing: {
      invoke: {
        src: 'observe',
        input: ({ context }) => context.resource,
        onDone: {
          target: 'idle',
          actions: assign(({ context, event }) => {
            ticks++;
            return { inSync: compare(context.resource, event.output) };
          }),
        },
        onError: { target: 'idle' },
      },
    },
  },
});

const machine = variant === 'action' ? actionMachine : invokeMachine;

const baseHeap = await heapAfterGc();
progress(`xstate (${variant}): starting ${N} actors`);
const actors: AnyActorRef[] = new Array(N);
const t0 = nowMs();
for (let i = 0; i < N; i++) {
  const actor = createActor(machine as typeof actionMachine, {
    input: { resource: resources[i] as Resource },
    clock: systemClock,
  });
  actor.subscribe({ error: (error) => console.error(error) });
  actor.start();
  actors[i] = actor;
}
const startUsPerActor = ((nowMs() - t0) * 1000) / N;
await sleep(INTERVAL * 1.5);
const bytesPerActor = ((await heapAfterGc()) - baseHeap) / N;
progress(`xstate (${variant}): ${bytesPerActor.toFixed(0)} B/actor; measuring ticks for ${SECONDS} s`);
const window = await measureTicks(() => ticks, {
  count: N,
  intervalMs: INTERVAL,
  seconds: SECONDS,
  settleMs: Math.min(3000, INTERVAL * 2),
});
const t1 = nowMs();
for (const actor of actors) actor.stop();
const stopMs = nowMs() - t1;

report(
  values.json === true,
  {
    bench: 'xstate-anchor',
    variant,
    count: N,
    intervalMs: INTERVAL,
    seconds: SECONDS,
    bytesPerActor,
    startUsPerActor,
    stopMs,
    ...window,
  },
  () =>
    [
      `raw xstate (${variant}), ${N} actors, ${INTERVAL} ms interval, ${SECONDS} s window`,
      `  heap      ${bytesPerActor.toFixed(0)} B/actor`,
      `  ticks     ${window.ticksPerSec.toFixed(0)}/s of ${window.expectedPerSec.toFixed(0)} (${(window.keepUp * 100).toFixed(0)} %)`,
      `  CPU       ${window.cpuUsPerTick.toFixed(2)} µs/tick`,
      `  start     ${startUsPerActor.toFixed(2)} µs/actor, stop all ${stopMs.toFixed(0)} ms`,
    ].join('\n'),
);
process.exit(0);
