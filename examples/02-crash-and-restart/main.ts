/**
 * Example 02 — crash and restart.
 *
 * A supervisor starts children, watches them, and restarts the ones that crash, each from its
 * spec: a restart gives a fresh child, and whatever state the old one held is gone. Whether a
 * child comes back depends on its restart type (`permanent`, `transient`, `temporary`) and on
 * how it exited (`crash`, `normal`, `shutdown`).
 *
 * The second half shows the same inside the runtime, where every resource is an actor under a
 * supervisor, and the difference between a *crash* (a bug: the actor is restarted) and a
 * *failure* (the provider said no: the same actor retries with backoff).
 *
 *   npm run example -- 02
 */
import { pathToFileURL } from 'node:url';
import {
  type ChildLink,
  createRuntime,
  createSupervisor,
  defineProvider,
  type Supervisor,
  TestClock,
} from '../../src/index.js';
import { seededRandom } from '../../src/testing.js';

export interface ExampleOptions {
  /** The clock to run on. Default: a fresh `TestClock`. */
  clock?: TestClock;
}

/** A tiny stateful worker, like the Counter in Elixir's Supervisor docs. */
class Counter {
  value = 0;
  constructor(private readonly link: ChildLink) {}
  bump(): number {
    return ++this.value;
  }
  /** A worker that hits a bug reports a crash through its link, and stops doing anything. */
  crash(message: string): void {
    this.link.exit({ reason: 'crash', error: new Error(message) });
  }
  stop(): void {}
}

function narrate(sup: Supervisor, out: (line: string) => void): void {
  sup.on('child:started', (e) => out(`  started ${e.child}`));
  sup.on('child:exited', (e) => {
    const why = e.exit.reason === 'crash' ? `crash (${String(e.exit.error)})` : e.exit.reason;
    out(`  ${e.child} exited: ${why}; ${e.willRestart ? 'restarting it' : 'not restarted'}`);
  });
  sup.on('child:restarted', (e) => out(`  ${e.child} restarted (restart #${e.restarts})`));
}

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();

  out('Part 1: a supervisor and three kinds of child');
  let counter: Counter | undefined;
  let report: ChildLink | undefined;
  let probe: ChildLink | undefined;
  const app = createSupervisor({
    id: 'app',
    strategy: 'oneForOne', // restart only the child that exited
    clock,
    children: [
      // permanent (the default): always restarted
      { id: 'counter', start: (link) => (counter = new Counter(link)) },
      // transient: restarted only after a crash; a job that ends normally stays ended
      {
        id: 'report',
        restart: 'transient',
        start: (link) => {
          report = link;
          return { stop() {} };
        },
      },
      // temporary: never restarted
      {
        id: 'probe',
        restart: 'temporary',
        start: (link) => {
          probe = link;
          return { stop() {} };
        },
      },
    ],
  });
  narrate(app, out);
  await app.start();

  counter!.bump();
  counter!.bump();
  out(`The counter counts: ${counter!.bump()}`);
  out('Crashing the counter on purpose...');
  counter!.crash('boom');
  out(`The new counter starts from scratch: ${counter!.bump()}`);

  out('The report job finishes its work and exits normally...');
  report!.exit({ reason: 'normal' });
  out('The probe crashes...');
  probe!.exit({ reason: 'crash', error: new Error('probe lost') });

  const counts = app.countChildren();
  out(`Children known: ${counts.specs}, running: ${counts.active}`);
  for (const child of app.tree().children) out(`  ${child.id}: ${child.state}, ${child.restarts} restart(s)`);
  await app.stop();

  out('');
  out('Part 2: the same inside the runtime');
  const world = new Map<string, Record<string, unknown>>();
  let bug = false; // observe returns garbage once: a bug in the provider
  let outage = false; // observe throws once: the system said no
  const notes = defineProvider({
    kind: 'note',
    async observe(ref) {
      if (bug) {
        bug = false;
        return 'not an object' as unknown as undefined;
      }
      if (outage) {
        outage = false;
        throw new Error('connection refused');
      }
      return world.get(ref.name);
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
    providers: [notes],
    clock,
    random: seededRandom(2),
    interval: 10_000,
    backoff: { baseMs: 1000, jitter: 'none' },
  });
  const t = () => `[t=${(clock.now() / 1000).toFixed(1)}s]`;
  rt.on('actor:crashed', (e) => out(`${t()} ${e.key} crashed: ${e.error}`));
  rt.on('actor:restarted', (e) =>
    out(`${t()} ${e.key} restarted by its supervisor (restart #${e.restarts})`),
  );
  rt.on('action:failed', (e) =>
    out(`${t()} ${e.key} ${e.operation} failed: ${e.error}; retry in ${e.delayMs} ms`),
  );
  rt.on('reconcile:done', (e) => out(`${t()} pass over ${e.key}: ${e.result}`));
  await rt.start();
  rt.setDesired([{ kind: 'note', name: 'todo', spec: { text: 'water the plants' } }]);
  await clock.advance(0);

  out(`${t()} the provider will return a string from observe on the next tick: a bug`);
  bug = true;
  await clock.advance(12_000);
  const after = rt.status('note/todo');
  out(`${t()} phase ${after?.phase}, restarts ${after?.restarts}, attempts ${after?.attempts}`);

  out(`${t()} the provider will throw from observe on the next tick: a failure`);
  outage = true;
  await clock.advance(12_000);
  const later = rt.status('note/todo');
  out(`${t()} phase ${later?.phase}, restarts ${later?.restarts}, attempts ${later?.attempts}`);
  await rt.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
