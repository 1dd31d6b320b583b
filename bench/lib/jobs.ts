/**
 * The suite's jobs: each is one bench program run in a fresh process, with the counts of a
 * full or a quick run. Rows of the table (see `rows.ts`) read figures out of their JSON.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ChildCommand, nodeBench } from './child.js';

export interface SuiteOptions {
  /** Smaller counts and windows: a smoke run of a few minutes. */
  readonly quick: boolean;
  /** Actors in the tick, heap, start/stop and latency benches. */
  readonly count: number;
  /** Seconds of each tick-counting window. */
  readonly seconds: number;
  /** Changes and crashes timed by the latency bench. */
  readonly changes: number;
  readonly crashes: number;
  /** `elixir` is on PATH: measure the BEAM anchor instead of showing published figures. */
  readonly elixir: boolean;
  /** Run the one-million-resource bench (full runs only). */
  readonly million: boolean;
}

export interface Job {
  readonly name: string;
  /** What it measures, for progress lines. */
  readonly about: string;
  readonly command: ChildCommand;
  /** Run once whatever `--runs` says (it takes minutes). */
  readonly once?: boolean;
}

const benchDir = fileURLToPath(new URL('../', import.meta.url));
const file = (name: string) => `${benchDir}${name}`;

export function suiteOptions(quick: boolean): SuiteOptions {
  return {
    quick,
    count: quick ? 20_000 : 100_000,
    seconds: quick ? 3 : 10,
    changes: quick ? 100 : 1000,
    crashes: quick ? 200 : 1000,
    elixir: hasElixir(),
    million: !quick,
  };
}

export function hasElixir(): boolean {
  const probe = spawnSync('elixir', ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

export function jobs(o: SuiteOptions): Job[] {
  const minutes = (m: number) => m * 60_000;
  const node = (name: string, about: string, script: string, args: string[], timeoutMin: number) => ({
    name,
    about,
    command: nodeBench(file(script), args, { timeoutMs: minutes(timeoutMin), label: name }),
  });
  const window = ['--count', String(o.count), '--seconds', String(o.seconds)];
  const list: Job[] = [
    node(
      'actors',
      'setpoint actors: heap, ticks, start, stop',
      'actors.ts',
      ['--only', 'setpoint', ...window],
      10,
    ),
    node('limit', 'plain-Node limit: heap, ticks', 'actors.ts', ['--only', 'limit', ...window], 10),
    node(
      'xstate-action',
      'raw xstate, compare in an action',
      'xstate-anchor.ts',
      ['--variant', 'action', ...window],
      10,
    ),
    node(
      'xstate-invoke',
      'raw xstate, invoked observe',
      'xstate-anchor.ts',
      ['--variant', 'invoke', ...window],
      10,
    ),
    node('supervisor', 'dynamic supervisor alone, 100k children', 'supervisor.ts', [], 5),
    node('diff', 'keyed diff vs microdiff, 100k', 'diff.ts', [], 10),
    node('convergence', '10k resources, 10 ms calls, concurrency 64', 'convergence.ts', [], 5),
    node(
      'latency',
      'desired change → apply; crash → running again',
      'latency.ts',
      [
        '--count',
        String(o.count),
        '--changes',
        String(o.changes),
        '--crashes',
        String(o.crashes),
        '--budget',
        o.quick ? '10' : '40',
      ],
      10,
    ),
    node(
      'api-writes',
      "desired-state API: creates/s over HTTP, 32 clients, vs a bare fsync'd log server",
      'api.ts',
      ['--measure', 'writes', ...(o.quick ? ['--quick'] : [])],
      3,
    ),
    node(
      'api-latency',
      `desired-state API: PUT → provider update, ${o.quick ? '2k' : '10k'} idle, vs GET /healthz`,
      'api.ts',
      ['--measure', 'latency', ...(o.quick ? ['--quick'] : [])],
      5,
    ),
    node(
      'api-watch',
      'desired-state API: 100 watchers, events/s and delay, vs a bare SSE server',
      'api.ts',
      ['--measure', 'watch', ...(o.quick ? ['--quick'] : [])],
      3,
    ),
    {
      // Minutes of real processes: once per suite, whatever --runs says.
      ...node(
        'scale-out',
        'setpoint run processes on one PostgreSQL: 1, 2, 4 instances, kill -9, spec → apply',
        'scale-out.ts',
        o.quick ? ['--quick'] : [],
        15,
      ),
      once: true,
    },
    {
      // Real processes again (Git, 3 agents, setpoint run, the services): once per suite.
      ...node(
        'gitops',
        'Git source, 3 node agents, setpoint run: push → installed, node back, kill -9 and adoption',
        'gitops.ts',
        o.quick ? ['--quick'] : [],
        10,
      ),
      once: true,
    },
    node(
      'pg-store',
      'the state store on PostgreSQL (fsync on): 4 instances writing with group commit, beside pgbench',
      'pg-store.ts',
      o.quick ? ['--quick'] : [],
      5,
    ),
    node(
      'cli-start',
      'setpoint validate and --version as new processes, beside node -e 0',
      'cli-start.ts',
      o.quick ? ['--quick'] : [],
      5,
    ),
    {
      // A browser and minutes of real time: once per suite.
      ...node(
        'dashboard',
        `live dashboard in Chromium, ${o.quick ? '20k' : '100k'} resources: first render, page heap, changes/s kept up`,
        'dashboard.ts',
        o.quick ? ['--quick'] : [],
        10,
      ),
      once: true,
    },
  ];
  if (o.elixir) {
    list.push({
      name: 'beam',
      about: 'BEAM anchor: GenServers under a DynamicSupervisor',
      command: {
        command: 'bash',
        args: [
          file('anchors/run-beam.sh'),
          ...window,
          '--crashes',
          String(o.crashes),
          '--dyn-stop-count',
          o.quick ? '5000' : '20000',
          '--json',
        ],
        timeoutMs: minutes(10),
        label: 'beam',
      },
    });
  }
  if (o.million) {
    list.push({
      name: 'million',
      about: '1,000,000 resources in one process, 4 GB heap',
      once: true,
      command: nodeBench(file('million.ts'), ['--count', '1000000', '--seconds', '90'], {
        timeoutMs: minutes(25),
        label: 'million',
        nodeFlags: ['--max-old-space-size=4096'],
      }),
    });
  }
  return list;
}
