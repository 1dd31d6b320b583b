/**
 * Example 06 — drift and self-healing.
 *
 * Drift is the world changing while the desired state did not: someone edits a setting by
 * hand, deletes an object, or a process falls over. Because every tick observes again (level
 * triggering), the runtime notices on its next pass, emits `drift`, and by policy puts it
 * back (`enforce`, the default), only reports it (`alert`), or leaves it (`ignore`). An object
 * that exists but is unhealthy is restarted through its provider.
 *
 *   npm run example -- 06
 */
import { pathToFileURL } from 'node:url';
import { createRuntime, TestClock } from '../../src/index.js';
import { memoryProvider, seededRandom } from '../../src/testing.js';

export interface ExampleOptions {
  /** The clock to run on. Default: a fresh `TestClock`. */
  clock?: TestClock;
}

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();
  const t = () => `[t=${(clock.now() / 1000).toFixed(1)}s]`;
  const random = seededRandom(6);
  const users = memoryProvider({ kind: 'user', clock, random });
  const rt = createRuntime({ providers: [users], clock, random, interval: 10_000 });
  rt.on('drift', (e) => out(`${t()} drift on ${e.key} (policy ${e.policy})`));
  rt.on('action:applied', (e) => out(`${t()}   ${e.action} ${e.key}`));
  rt.on('plan:computed', (e) => out(`${t()}   ${e.key} would ${e.action.action}; applying nothing`));
  await rt.start();

  rt.setDesired([
    { kind: 'user', name: 'alice', spec: { role: 'admin' } }, // drift: enforce (the default)
    { kind: 'user', name: 'bob', spec: { role: 'dev' }, policy: { drift: 'alert' } },
    { kind: 'user', name: 'carol', spec: { role: 'ops' }, policy: { drift: 'ignore' } },
    { kind: 'user', name: 'dave', spec: { role: 'dev' } },
    { kind: 'user', name: 'erin', spec: { role: 'qa' } },
  ]);
  await clock.advance(0);
  out(`${t()} five users created`);

  out('');
  out(`${t()} by hand: alice, bob and carol become "root", dave is deleted, erin falls over`);
  users.mutate('alice', (spec) => ({ ...spec, role: 'root' }));
  users.mutate('bob', (spec) => ({ ...spec, role: 'root' }));
  users.mutate('carol', (spec) => ({ ...spec, role: 'root' }));
  users.remove('dave');
  users.mutate('erin', (spec) => ({ ...spec, healthy: false })); // the memory provider's health flag
  await clock.advance(15_000);

  out('');
  out(`${t()} the world after one tick each:`);
  for (const name of ['alice', 'bob', 'carol', 'dave', 'erin']) {
    const status = rt.status(`user/${name}`);
    const observed = JSON.stringify(users.store.get(name) ?? null);
    out(`  ${name.padEnd(5)} ${observed.padEnd(17)} phase ${status?.phase}`);
  }
  out(`  restarts done by the provider: ${users.restarts}`);

  out('');
  out(`${t()} bob is put back by hand; bob's next pass finds it in sync again`);
  users.mutate('bob', (spec) => ({ ...spec, role: 'dev' }));
  await clock.advance(15_000);
  out(`${t()} bob: phase ${rt.status('user/bob')?.phase}`);
  await rt.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
