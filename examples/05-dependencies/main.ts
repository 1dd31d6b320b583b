/**
 * Example 05 — dependencies.
 *
 * `dependsOn` lists the keys a resource needs before it can exist: an app needs its database,
 * a database needs its network. Each resource is its own actor, so there is no global plan to
 * run in order; instead an actor whose dependencies are not Ready waits, and is woken the
 * moment they are. Deletes go the other way: a resource is deleted only once nothing that
 * depends on it is left. A cycle is rejected before anything runs.
 *
 * Every provider call takes 500 ms of virtual time here, so the order is visible.
 *
 *   npm run example -- 05
 */
import { pathToFileURL } from 'node:url';
import { createRuntime, orderByDependencies, type Resource, TestClock } from '../../src/index.js';
import { memoryProvider, seededRandom } from '../../src/testing.js';

export interface ExampleOptions {
  /** The clock to run on. Default: a fresh `TestClock`. */
  clock?: TestClock;
}

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();
  const t = () => `[t=${(clock.now() / 1000).toFixed(1)}s]`;
  const random = seededRandom(5);

  const desired: Resource[] = [
    { kind: 'app', name: 'web', spec: { replicas: 2 }, dependsOn: ['database/main'] },
    { kind: 'app', name: 'worker', spec: { replicas: 1 }, dependsOn: ['database/main'] },
    { kind: 'database', name: 'main', spec: { engine: 'postgres' }, dependsOn: ['network/vpc'] },
    { kind: 'network', name: 'vpc', spec: { cidr: '10.0.0.0/16' } },
  ];

  out('The order, computed from dependsOn alone (pure: nothing runs):');
  const order = orderByDependencies(desired);
  if (!order.ok) throw new Error(order.errors.map((e) => e.message).join('\n'));
  for (const [i, wave] of order.value.waves.entries()) out(`  wave ${i}: ${wave.join(', ')}`);
  out(`  deletes: ${order.value.deleteWaves.map((wave) => wave.join(', ')).join(' | ')}`);

  const slow = { latencyMs: 500 };
  const providers = ['network', 'database', 'app'].map((kind) =>
    memoryProvider({ kind, clock, random, faults: slow }),
  );
  const rt = createRuntime({ providers, clock, random, allowEmpty: true });
  rt.on('reconcile:done', (e) => {
    if (e.result === 'waiting') out(`${t()} ${e.key} waits for its dependencies`);
  });
  rt.on('action:applied', (e) => out(`${t()} ${e.action} ${e.key}`));
  await rt.start();

  out('');
  out(`${t()} the runtime gets all four at once`);
  rt.setDesired(desired);
  await clock.advance(5000);

  out('');
  out(`${t()} all four leave the desired set`);
  rt.setDesired([]);
  await clock.advance(5000);

  out('');
  out(`${t()} a desired set with a cycle is rejected whole, and nothing runs:`);
  const result = rt.setDesired([
    { kind: 'app', name: 'a', spec: {}, dependsOn: ['app/b'] },
    { kind: 'app', name: 'b', spec: {}, dependsOn: ['app/a'] },
  ]);
  if (!result.ok) for (const error of result.errors) out(`  ${error.code}: ${error.message}`);
  await clock.advance(5000);
  out(`${t()} resources managed: ${rt.status().length}`);
  await rt.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
