/**
 * Example 08 — a dry-run plan.
 *
 * Before changing anything, see what would change. `diff` compares two sets of resources and
 * returns a plan as plain data; `renderPlan` writes it in Terraform's grammar: `+` create,
 * `~` update in place, `-/+` replace (a field that cannot change in place), `-` delete. A
 * runtime started with `dryRun: true` observes the real system, computes each resource's plan,
 * reports it, and applies nothing.
 *
 *   npm run example -- 08
 */
import { pathToFileURL } from 'node:url';
import { renderPlan } from '../../src/diff/render.js';
import { createRuntime, diff, type Resource, TestClock } from '../../src/index.js';
import { memoryProvider, seededRandom } from '../../src/testing.js';

export interface ExampleOptions {
  /** The clock to run on. Default: a fresh `TestClock`. */
  clock?: TestClock;
}

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();

  out('Part 1: diff two sets of resources (pure: no provider, no clock)');
  const desired: Resource[] = [
    { kind: 'files', name: 'motd', spec: { path: 'motd.txt', content: 'hello\n' } },
    { kind: 'files', name: 'config', spec: { path: 'app.conf', mode: '0600' } },
    { kind: 'files', name: 'data', spec: { path: 'data/b.db' } },
  ];
  const current: Resource[] = [
    { kind: 'files', name: 'config', spec: { path: 'app.conf', mode: '0644', size: 120 } },
    { kind: 'files', name: 'data', spec: { path: 'data/a.db' } },
    { kind: 'files', name: 'old', spec: { path: 'old.txt' } },
  ];
  // `path` cannot change in place: a different path is a different file.
  const result = diff(desired, current, { compare: { files: { replaceOn: ['path'] } } });
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  for (const line of renderPlan(result.value).split('\n')) out(line);

  out('');
  out('Part 2: a runtime in dry-run, against a system that already holds some of it');
  const random = seededRandom(8);
  const users = memoryProvider({
    kind: 'user',
    clock,
    random,
    initial: { alice: { role: 'admin', uid: 1001 }, bob: { role: 'dev', uid: 1002 } },
  });
  const rt = createRuntime({ providers: [users], clock, random, dryRun: true });
  await rt.start();
  rt.setDesired([
    { kind: 'user', name: 'alice', spec: { role: 'admin' } }, // in sync: `uid` is not in the spec
    { kind: 'user', name: 'bob', spec: { role: 'ops', shell: '/bin/zsh' } },
    { kind: 'user', name: 'carol', spec: { role: 'dev' } },
  ]);
  await clock.advance(0);
  for (const line of renderPlan(await rt.plan()).split('\n')) out(line);
  out('');
  for (const status of rt.status()) out(`${status.key}: phase ${status.phase}`);
  out(
    `provider calls: ${users.calls.observe} observe, ${users.calls.create} create, ${users.calls.update} update`,
  );
  await rt.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
