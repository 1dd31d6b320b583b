/**
 * Example 07 — rollback.
 *
 * A new spec that keeps failing can leave the world half-changed. With `rollback: true`, once
 * a resource has used up its retries on a new spec, the runtime applies its *last-good* spec
 * (the last one that was synced and healthy) instead, and says so in its status: Ready (the
 * world is in a known-good state) but not Synced (it is not what you asked for). A new spec
 * ends the rollback.
 *
 * The provider here deploys a web server in two steps, version first, then worker count, and
 * is not atomic: when the second step fails the first has already happened.
 *
 *   npm run example -- 07
 */
import { pathToFileURL } from 'node:url';
import { createRuntime, defineProvider, TestClock } from '../../src/index.js';
import { seededRandom } from '../../src/testing.js';

export interface ExampleOptions {
  /** The clock to run on. Default: a fresh `TestClock`. */
  clock?: TestClock;
}

// A `type`, not an `interface`: a provider's spec type must fit `Record<string, unknown>`,
// and only type aliases get the implicit index signature that needs.
type ServerSpec = {
  version: string;
  workers: number;
};

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();
  const t = () => `[t=${(clock.now() / 1000).toFixed(1)}s]`;
  const world = new Map<string, ServerSpec>();

  const servers = defineProvider<ServerSpec>({
    kind: 'server',
    async observe(ref) {
      const found = world.get(ref.name);
      return found ? { ...found } : undefined;
    },
    async create(desired) {
      world.set(desired.name, { ...desired.spec });
    },
    async update(desired) {
      const current = world.get(desired.name)!;
      current.version = desired.spec.version; // step 1: switch the version
      if (desired.spec.workers > 8)
        throw new Error(`reload refused: ${desired.spec.workers} workers, at most 8`);
      current.workers = desired.spec.workers; // step 2: resize
    },
    async delete(_current, ref) {
      world.delete(ref.name);
    },
  });

  const rt = createRuntime({
    providers: [servers],
    clock,
    random: seededRandom(7),
    rollback: true,
    maxRetries: 3,
    backoff: { baseMs: 1000, jitter: 'none' },
  });
  const world$ = () => JSON.stringify(world.get('web'));
  rt.on('action:applied', (e) => out(`${t()} ${e.action} ${e.key}: the world is ${world$()}`));
  rt.on('action:failed', (e) => out(`${t()} ${e.operation} failed: ${e.error}; the world is ${world$()}`));
  rt.on('degraded', (e) =>
    out(`${t()} Degraded after ${rt.status(e.key)?.attempts} failures; rollback: ${e.rollback}`),
  );
  rt.on('recovered', (e) => out(`${t()} ${e.key} recovered`));
  const conditions = () =>
    (rt.status('server/web')?.conditions ?? []).map((c) => `${c.type}=${c.status} (${c.reason})`).join(', ');
  await rt.start();

  out(`${t()} desired: version 1.0, 4 workers`);
  rt.setDesired([{ kind: 'server', name: 'web', spec: { version: '1.0', workers: 4 } }]);
  await clock.advance(0);
  out(`${t()} last-good spec: ${JSON.stringify(rt.store.get('server/web')?.lastGood)}`);

  out('');
  out(`${t()} desired: version 2.0, 16 workers (too many)`);
  rt.setDesired([{ kind: 'server', name: 'web', spec: { version: '2.0', workers: 16 } }]);
  await clock.advance(10_000);
  out(`${t()} ${conditions()}`);

  out('');
  out(`${t()} desired: version 2.0, 8 workers`);
  rt.setDesired([{ kind: 'server', name: 'web', spec: { version: '2.0', workers: 8 } }]);
  await clock.advance(0);
  out(`${t()} ${conditions()}`);
  await rt.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
