/**
 * A supervisor restarts a child that crashes; one that keeps crashing makes its supervisor give
 * up and hand the problem to its own parent.
 *
 *   npx tsx examples/supervisor-crash/main.ts
 *
 * The tree: `app` (oneForOne) supervises a `logger` worker and a `counters` supervisor, which
 * supervises one `counter` worker. A counter is a tiny stateful worker, like the Counter
 * GenServer in Elixir's Supervisor docs.
 */
import { pathToFileURL } from 'node:url';
import { type Clock, systemClock } from '../../src/runtime/clock.js';
import {
  type ChildLink,
  type ChildSpec,
  type ChildTree,
  createSupervisor,
  RestartIntensityError,
  type Supervisor,
  type SupervisorTree,
} from '../../src/supervisor/index.js';

/** A counter that a test (or you) can bump, read, and crash on purpose. */
class Counter {
  value = 0;
  constructor(
    private readonly link: ChildLink,
    private readonly print: (line: string) => void,
  ) {}
  bump(): number {
    return ++this.value;
  }
  /** Report a crash to the supervisor, as an actor that hit a bug would. */
  crash(message: string): void {
    this.link.exit({ reason: 'crash', error: new Error(message) });
  }
  stop(): void {
    this.print('  counter stops');
  }
}

/** Print what a supervisor does, one line per event. */
function narrate(sup: Supervisor, print: (line: string) => void): void {
  sup.on('child:started', (e) => print(`  started ${e.supervisor}/${e.child}`));
  sup.on('child:exited', (e) => {
    const why = e.exit.reason === 'crash' ? `crash (${describe(e.exit.error)})` : e.exit.reason;
    print(`  ${e.supervisor}/${e.child} exited: ${why}, ${e.willRestart ? 'will restart' : 'no restart'}`);
  });
  sup.on('child:restarted', (e) => print(`  ${e.supervisor}/${e.child} restarted (restart ${e.restarts})`));
  sup.on('supervisor:escalated', (e) => print(`  ${e.supervisor} gave up and escalates: ${e.error.message}`));
  sup.on('supervisor:stopped', (e) => print(`  ${e.supervisor} stopped`));
}

function describe(error: unknown): string {
  if (RestartIntensityError.is(error)) return `${error.name} from ${error.supervisor}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The tree as indented lines. */
export function renderTree(tree: SupervisorTree): string[] {
  const lines = [`${tree.id} (${tree.strategy}, ${tree.state}, ${plural(tree.restarts, 'restart')})`];
  const walk = (children: readonly ChildTree[], indent: string) => {
    children.forEach((c, i) => {
      const last = i === children.length - 1;
      const strategy = c.strategy ? ` ${c.strategy}` : '';
      lines.push(
        `${indent}${last ? '└─' : '├─'} ${c.id}: ${c.type}${strategy}, ${c.state}, ${plural(c.restarts, 'restart')}`,
      );
      if (c.children) walk(c.children, `${indent}${last ? '   ' : '│  '}`);
    });
  };
  walk(tree.children, '');
  return lines;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export async function main(clock: Clock, print: (line: string) => void): Promise<void> {
  let counter: Counter | undefined;
  const counterSpec: ChildSpec = {
    id: 'counter',
    start: (link) => {
      counter = new Counter(link, print);
      return counter;
    },
  };
  const countersSpec: ChildSpec = {
    id: 'counters',
    type: 'supervisor',
    // Each (re)start of `counters` is a fresh supervisor with fresh children.
    start: (link) => {
      const counters = createSupervisor({ maxRestarts: 3, withinMs: 5000, clock, children: [counterSpec] });
      narrate(counters, print);
      return counters.start(link);
    },
  };
  const app = createSupervisor({
    id: 'app',
    strategy: 'oneForOne',
    clock,
    children: [{ id: 'logger', start: () => ({ stop: () => print('  logger stops') }) }, countersSpec],
  });
  narrate(app, print);

  print('Starting the tree: app -> logger, counters -> counter');
  await app.start();

  print('');
  counter!.bump();
  counter!.bump();
  print(`The counter counts: ${counter!.bump()}`);
  print('Crashing the counter on purpose...');
  counter!.crash('boom #1');
  print(`After its restart it counts from scratch: ${counter!.bump()}`);

  print('');
  print('Crashing it 3 more times: more than 3 restarts within 5 s is too many for "counters".');
  // `app` restarts `counters` asynchronously (a supervisor's start returns a promise): wait for it.
  const restarted = new Promise<void>((resolve) => {
    const off = app.on('child:restarted', () => {
      off();
      resolve();
    });
  });
  for (const n of [2, 3, 4]) counter!.crash(`boom #${n}`);
  await restarted;

  print('');
  print('The tree now:');
  for (const line of renderTree(app.tree())) print(`  ${line}`);

  print('');
  print('Stopping the tree (children stop in reverse start order)...');
  await app.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main(systemClock, (line) => console.log(line));
}
