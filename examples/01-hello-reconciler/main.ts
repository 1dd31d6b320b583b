/**
 * Example 01 — hello, reconciler.
 *
 * You say what should exist; the runtime makes it so, and keeps it so. Here the "real system"
 * is a `Map` of greetings and the provider is four small functions. Watch the runtime create
 * the greeting, check it again on every tick even though nothing changed (level-triggered),
 * put it back when someone changes it behind its back, apply a new desired spec at once, and
 * delete what is no longer desired.
 *
 *   npm run example -- 01
 */
import { pathToFileURL } from 'node:url';
import { createRuntime, defineProvider, TestClock } from '../../src/index.js';
import { seededRandom } from '../../src/testing.js';

export interface ExampleOptions {
  /** The clock to run on. Default: a fresh `TestClock`, so the whole minute runs at once. */
  clock?: TestClock;
}

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();
  const t = () => `[t=${(clock.now() / 1000).toFixed(1)}s]`;

  // The real system. In real life: an API, a database, files on disk.
  const world = new Map<string, Record<string, unknown>>();

  // A provider teaches the runtime one kind of thing: how to look at it and how to change it.
  // Every operation must be idempotent, because the runtime may call it again after a failure.
  const greetings = defineProvider({
    kind: 'greeting',
    async observe(ref) {
      return world.get(ref.name); // undefined: it does not exist
    },
    async create(desired) {
      world.set(desired.name, { ...desired.spec });
    },
    async update(desired) {
      world.set(desired.name, { ...desired.spec });
    },
    async delete(_current, ref) {
      world.delete(ref.name);
    },
  });

  const rt = createRuntime({
    providers: [greetings],
    clock, // all time goes through this clock: here a virtual one
    random: seededRandom(1), // the ±10 % jitter on the interval, the same on every run
    interval: 10_000, // re-check every resource about every 10 s (default 30 s)
    allowEmpty: true, // let an empty desired set delete everything (off by default, as a safety)
  });
  rt.on('reconcile:done', (e) => out(`${t()} pass over ${e.key}: ${e.result}`));
  rt.on('action:applied', (e) => out(`${t()}   ${e.action} ${e.key}`));
  rt.on('drift', (e) => out(`${t()}   drift on ${e.key}: someone changed it (${e.policy})`));
  rt.on('resource:deleted', (e) => out(`${t()}   ${e.key} is gone`));
  await rt.start();

  const show = () => out(`${t()} the world: ${JSON.stringify(Object.fromEntries(world))}`);

  out(`${t()} desired: greeting/world says "hello"`);
  rt.setDesired([{ kind: 'greeting', name: 'world', spec: { text: 'hello' } }]);
  await clock.advance(0); // run what is due now
  show();

  out('');
  out(`${t()} 25 s pass; nothing changes, but each tick looks again`);
  await clock.advance(25_000);

  out('');
  out(`${t()} someone edits the greeting by hand`);
  world.set('world', { text: 'goodbye' });
  await clock.advance(10_000);
  show();

  out('');
  out(`${t()} desired: greeting/world says "hi" (applied at once, not at the next tick)`);
  rt.setDesired([{ kind: 'greeting', name: 'world', spec: { text: 'hi' } }]);
  await clock.advance(0);
  show();
  const status = rt.status('greeting/world');
  out(
    `${t()} status: phase ${status?.phase}, generation ${status?.generation}, attempts ${status?.attempts}`,
  );

  out('');
  out(`${t()} desired: nothing`);
  rt.setDesired([]);
  await clock.advance(0);
  show();

  await rt.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
