/**
 * Example 03 — escalation.
 *
 * Restarting a child that keeps crashing only hides the fault. So a supervisor counts its
 * restarts in a sliding window: more than `maxRestarts` within `withinMs` (default 3 in 5 s)
 * and it stops all its children, gives up, and reports a crash to its own parent, which
 * applies its own strategy. At the top, the runtime reports `runtime:failed`: time for the
 * process to exit and for systemd or Kubernetes to start it again. Inside the runtime, one
 * resource that keeps crashing is not a reason to give up (it crash-loops on its own backoff);
 * most resources of a kind crashing at once is, and that escalates.
 *
 *   app (oneForOne)
 *   ├─ logger     a worker
 *   └─ counters   a supervisor (oneForOne, at most 3 restarts in 5 s)
 *      └─ counter a worker that counts, and can be crashed on purpose
 *
 *   npm run example -- 03
 */
import { pathToFileURL } from 'node:url';
import {
  type ChildLink,
  type ChildSpec,
  createRuntime,
  createSupervisor,
  defineProvider,
  type Supervisor,
  type SupervisorTree,
  TestClock,
} from '../../src/index.js';
import { seededRandom } from '../../src/testing.js';

export interface ExampleOptions {
  /** The clock to run on. Default: a fresh `TestClock`. */
  clock?: TestClock;
}

class Counter {
  value = 0;
  constructor(
    private readonly link: ChildLink,
    private readonly out: (line: string) => void,
  ) {}
  bump(): number {
    return ++this.value;
  }
  crash(message: string): void {
    this.link.exit({ reason: 'crash', error: new Error(message) });
  }
  stop(): void {
    this.out('  counter stops');
  }
}

function narrate(sup: Supervisor, out: (line: string) => void, t: () => string): void {
  sup.on('child:started', (e) => out(`${t()} started ${e.supervisor}/${e.child}`));
  sup.on('child:exited', (e) => {
    const error = e.exit.reason === 'crash' ? e.exit.error : undefined;
    const why = !(error instanceof Error)
      ? e.exit.reason
      : error.name === 'RestartIntensityError'
        ? `crash (${error.name})`
        : `crash (${error.name}: ${error.message})`;
    out(`${t()} ${e.supervisor}/${e.child} exited: ${why}; ${e.willRestart ? 'will restart' : 'no restart'}`);
  });
  sup.on('child:restarted', (e) => out(`${t()} ${e.supervisor}/${e.child} restarted (#${e.restarts})`));
  sup.on('supervisor:escalated', (e) => out(`${t()} ${e.supervisor} gives up: ${e.error.message}`));
  sup.on('supervisor:stopped', (e) => out(`  ${e.supervisor} stopped`));
}

/** The tree as indented lines. */
function renderTree(tree: SupervisorTree): string[] {
  const lines = [`${tree.id} (${tree.strategy}, ${tree.state}, restarts ${tree.restarts})`];
  tree.children.forEach((c, i) => {
    const last = i === tree.children.length - 1;
    lines.push(`${last ? '└─' : '├─'} ${c.id}: ${c.type}, ${c.state}, restarts ${c.restarts}`);
    for (const [j, g] of (c.children ?? []).entries()) {
      const lastG = j === (c.children?.length ?? 0) - 1;
      lines.push(
        `${last ? '   ' : '│  '}${lastG ? '└─' : '├─'} ${g.id}: ${g.type}, ${g.state}, restarts ${g.restarts}`,
      );
    }
  });
  return lines;
}

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();
  const t = () => `[t=${(clock.now() / 1000).toFixed(1)}s]`;

  out('Part 1: a supervisor that gives up, and a parent that restarts it');
  let counter: Counter | undefined;
  const counterSpec: ChildSpec = { id: 'counter', start: (link) => (counter = new Counter(link, out)) };
  const countersSpec: ChildSpec = {
    id: 'counters',
    type: 'supervisor',
    // Each (re)start of `counters` builds a fresh supervisor with fresh children.
    start: (link) => {
      const counters = createSupervisor({ maxRestarts: 3, withinMs: 5000, clock, children: [counterSpec] });
      narrate(counters, out, t);
      return counters.start(link);
    },
  };
  const app = createSupervisor({
    id: 'app',
    strategy: 'oneForOne',
    clock,
    children: [{ id: 'logger', start: () => ({ stop: () => out('  logger stops') }) }, countersSpec],
  });
  narrate(app, out, t);
  await app.start();

  out('');
  out('Four crashes, two seconds apart: the oldest leaves the 5 s window, so no more than 3 are in it.');
  for (const n of [1, 2, 3, 4]) {
    counter!.crash(`slow #${n}`);
    await clock.advance(2000);
  }
  out(`${t()} quiet for 5 s: the window empties`);
  await clock.advance(5000);

  out('');
  out('Four crashes at once: the 4th restart within 5 s is one too many for "counters".');
  const restarted = new Promise<void>((resolve) => {
    const off = app.on('child:restarted', () => {
      off();
      resolve();
    });
  });
  for (const n of [1, 2, 3, 4]) counter!.crash(`fast #${n}`);
  await restarted; // `app` restarts `counters` asynchronously: a supervisor's start is a promise

  out('');
  out('The tree now: a fresh "counters", with a fresh counter; "logger" was left alone.');
  for (const line of renderTree(app.tree())) out(`  ${line}`);

  out('');
  out('Stopping the tree (children stop in reverse start order):');
  await app.stop();

  out('');
  out('Part 2: inside the runtime, a kind whose every resource crashes on every pass');
  out('(one resource that crashes alone only crash-loops, on its own backoff: see example 02)');
  const crashing = defineProvider({
    kind: 'widget',
    async observe() {
      return 42 as unknown as undefined; // a bug: observe must return an object or undefined
    },
    async create() {},
    async update() {},
    async delete() {},
  });
  const rt = createRuntime({ providers: [crashing], clock, random: seededRandom(3) });
  let crashes = 0;
  rt.on('actor:crashed', () => crashes++);
  rt.on('supervisor:escalated', (e) =>
    out(`${t()} kind supervisor "${e.supervisor}" gave up (${crashes} crashes so far)`),
  );
  rt.on('runtime:failed', (e) => {
    out(`${t()} runtime:failed: ${e.error} (it restarted "widget" ${e.tree?.restarts} times)`);
    out(`${t()} root is ${e.tree?.state}; kind supervisor "widget" is ${e.tree?.children[0]?.state}`);
    out(`${t()} a standalone setpoint exits non-zero here, and systemd or Kubernetes starts it again`);
  });
  await rt.start();
  rt.setDesired(['w1', 'w2', 'w3', 'w4', 'w5'].map((name) => ({ kind: 'widget', name, spec: { size: 1 } })));
  await clock.advance(0);
  await rt.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
