/**
 * Example 10 — a GitOps directory.
 *
 * The desired state lives in a folder of YAML files, as in a Git repository: `setpoint.yaml`
 * says which files hold resources and which provider manages each kind, and every resource
 * file holds one or more resource documents. Whatever the folder says is what the world
 * becomes: add a file and its resources are installed, edit one and they are updated, delete
 * one and (with `prune`) they are deleted. A broken edit is rejected with file and line, and
 * the last good desired state keeps running. After a restart the runtime finds the world
 * already in its desired state, and does nothing.
 *
 * The folder is a fresh temporary directory; the providers are the built-in memory provider,
 * named in `setpoint.yaml` with `use: memory`.
 *
 *   npm run example -- 10
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  builtinProviders,
  createMemoryStore,
  createRuntime,
  formatIssues,
  type LoadedConfig,
  loadConfig,
  type Provider,
  type Runtime,
  type StateStore,
  TestClock,
} from '../../src/index.js';
import { seededRandom } from '../../src/testing.js';

export interface ExampleOptions {
  /** The clock to run on. Default: a fresh `TestClock`. */
  clock?: TestClock;
}

const CONFIG = `# What to manage, and how.
resources: ["resources/**/*.yaml"]
providers:
  namespace: { use: memory }
  app: { use: memory }
defaults: { interval: 30s, prune: true }
`;

const TEAM_A = (replicas: number) => `kind: namespace
name: team-a
spec: { quota: 10 }
---
kind: app
name: team-a-web
spec: { image: "web:1.4", replicas: ${replicas} }
dependsOn: [namespace/team-a]
`;

const TEAM_B = `kind: namespace
name: team-b
spec: { quota: 5 }
`;

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();
  const t = () => `[t=${(clock.now() / 1000).toFixed(1)}s]`;
  const random = seededRandom(10);
  const dir = await mkdtemp(join(tmpdir(), 'setpoint-gitops-'));
  const write = (file: string, text: string) => writeFile(join(dir, file), text);
  const store: StateStore = createMemoryStore({ clock }); // what the runtime owns; survives restarts
  let providers: Provider[] | undefined; // the "real system": outlives every runtime
  let rt: Runtime | undefined;
  let config: LoadedConfig | undefined;

  /** Read the folder. On success the new desired set replaces the old one; on failure nothing changes. */
  async function sync(): Promise<void> {
    const result = await loadConfig(join(dir, 'setpoint.yaml'), { env: {} });
    if (!result.ok) {
      out(`${t()} the folder does not load; the last good desired state keeps running:`);
      for (const line of formatIssues(result.errors, { relativeTo: dir }).split('\n')) out(`  ${line}`);
      return;
    }
    config = result.config;
    const accepted = rt!.setDesired(config.resources);
    if (!accepted.ok) throw new Error(accepted.errors.map((e) => e.message).join('\n'));
    const { added, changed, removed } = accepted;
    out(
      `${t()} loaded ${config.resources.length} resources: ${added} new, ${changed} changed, ${removed} removed`,
    );
    await clock.advance(1000);
  }

  /** Start a runtime from the folder's config, as `setpoint run` would. */
  async function boot(): Promise<void> {
    const result = await loadConfig(join(dir, 'setpoint.yaml'), { env: {} });
    if (!result.ok) throw new Error(formatIssues(result.errors));
    const { defaults } = result.config;
    // Every kind here says `use: memory`; a kind with `module:` would be imported instead.
    providers ??= Object.entries(result.config.providers).map(([kind, entry]) =>
      builtinProviders[entry.use ?? '']!(entry.options, { clock, random, kind, configDir: dir }),
    );
    rt = createRuntime({
      providers,
      clock,
      random,
      store,
      interval: defaults.intervalMs,
      backoff: defaults.backoff,
      maxRetries: defaults.maxRetries,
      drift: defaults.drift,
      prune: defaults.prune,
      allowEmpty: defaults.allowEmpty,
      rollback: defaults.rollback,
    });
    rt.on('action:applied', (e) => {
      const from = config?.sources.get(e.key);
      const where = from ? ` (${relative(dir, from.file)}:${from.line})` : '';
      out(`${t()}   ${e.action} ${e.key}${where}`);
    });
    await rt.start();
  }

  try {
    out('Install: a config and two resource files');
    await write('setpoint.yaml', CONFIG);
    await mkdir(join(dir, 'resources'));
    await write('resources/team-a.yaml', TEAM_A(2));
    await write('resources/team-b.yaml', TEAM_B);
    await boot();
    await sync();

    out('');
    out('Update: team-a-web goes from 2 to 3 replicas');
    await write('resources/team-a.yaml', TEAM_A(3));
    await sync();

    out('');
    out('A broken edit: a tab where YAML wants spaces');
    await write('resources/team-b.yaml', 'kind: namespace\nname: team-b\nspec:\n\tquota: 6\n');
    await sync();

    out('');
    out('Delete: team-b.yaml is removed from the folder');
    await rm(join(dir, 'resources/team-b.yaml'));
    await sync();

    out('');
    out('Restart: the process stops, and a new one starts from the same folder and state');
    await rt?.stop();
    await boot();
    out(`${t()} the state remembers what it owns: ${[...store.inventory().keys()].join(', ')}`);
    await sync();
    out(
      `${t()} nothing to do: ${rt!.status().every((s) => s.phase === 'synced') ? 'every resource is in sync' : 'still busy'}`,
    );
  } finally {
    await rt?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
