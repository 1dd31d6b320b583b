import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from './poll.js';

/**
 * A group of `setpoint run` processes sharing one PostgreSQL database, for tests and scripts
 * that break them for real: start members, kill -9, SIGSTOP/SIGCONT, SIGTERM. Each member has a
 * config of its own (its `cluster.id` is its name, and its store URL may go through a proxy);
 * every config names the same resources and the recording provider, whose world and call log
 * every member shares.
 */
export interface GroupOptions {
  /** The project directory: configs, resources, the world and the call log go here. */
  readonly dir: string;
  /** A script that runs the CLI: `node <bin> run -c <config>`. */
  readonly bin: string;
  /** Flags for node before `bin` (e.g. `--import tsx` for the TypeScript sources). */
  readonly nodeFlags?: readonly string[];
  readonly url: string;
  readonly shards: number;
  readonly leaseTtlMs: number;
  readonly renewEveryMs: number;
  readonly latencyMs: number;
  /** Provider calls in flight per instance. */
  readonly concurrency?: number;
  /** Resources per YAML file. */
  readonly perFile?: number;
}

export interface LogLine {
  readonly time: number;
  readonly level: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface Member {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  readonly lines: LogLine[];
  readonly exited: Promise<number | null>;
  /** When it was killed, stopped or cut off (ms, shared clock), by the test. */
  downAt: number | undefined;
  alive: boolean;
  url: string | undefined;
}

/** Every process started here and not yet exited, for {@link killEveryChild}. */
const children = new Set<ChildProcess>();

/** Kill -9 every process any group started (for a script's SIGINT handler: nothing is awaited). */
export function killEveryChild(): void {
  for (const child of children) {
    child.kill('SIGKILL');
    child.kill('SIGCONT');
  }
}

export const now = (): number => performance.timeOrigin + performance.now();
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'recording-provider.mjs');

/** Names and specs of the desired set: `things/t0000` … */
export function thingNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `t${String(i).padStart(5, '0')}`);
}

export class Group {
  readonly members = new Map<string, Member>();
  readonly calls: string;
  readonly world: string;

  constructor(readonly o: GroupOptions) {
    this.calls = join(o.dir, 'calls.log');
    this.world = join(o.dir, 'world');
  }

  /** Write the desired set (`content` of each thing) and the provider into the project. */
  writeResources(names: readonly string[], content: (name: string) => string): void {
    const dir = join(this.o.dir, 'resources');
    mkdirSync(dir, { recursive: true });
    copyFileSync(FIXTURE, join(this.o.dir, 'recording-provider.mjs'));
    const per = this.o.perFile ?? 500;
    for (let i = 0; i < names.length; i += per) {
      const docs = names
        .slice(i, i + per)
        .map((name) => `kind: things\nname: ${name}\nspec: { content: ${JSON.stringify(content(name))} }\n`);
      writeFileSync(join(dir, `r${String(i / per).padStart(4, '0')}.yaml`), docs.join('---\n'));
    }
  }

  /** Start member `name` (its store through `url`, default the group's); wait until it runs. */
  /** `publish: false`: the member runs what the database holds, and publishes nothing. */
  async start(name: string, o: { url?: string; waitMs?: number; publish?: boolean } = {}): Promise<Member> {
    const { shards, leaseTtlMs, renewEveryMs, latencyMs, concurrency } = this.o;
    const config = join(this.o.dir, `member-${name}.yaml`);
    writeFileSync(
      config,
      [
        'resources: ["resources/*.yaml"]',
        `state: .state-${name}`,
        `store: ${o.url ?? this.o.url}`,
        `cluster: { id: ${name}, shards: ${shards}, leaseTtl: ${leaseTtlMs}ms, renewEvery: ${renewEveryMs}ms${o.publish === false ? ', publish: false' : ''} }`,
        `providers: { things: { module: ./recording-provider.mjs, options: { dir: ./world, log: ./calls.log, latencyMs: ${latencyMs} } } }`,
        `defaults: { interval: 10m${concurrency ? `, concurrency: ${concurrency}` : ''} }`,
        'server: { listen: "127.0.0.1:0" }',
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [...(this.o.nodeFlags ?? []), this.o.bin, 'run', '-c', config], {
      cwd: this.o.dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    const lines: LogLine[] = [];
    let rest = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) {
        try {
          lines.push(JSON.parse(part) as LogLine);
        } catch {
          lines.push({ time: Date.now(), level: 50, msg: part });
        }
      }
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const member: Member = {
      name,
      pid: child.pid ?? -1,
      child,
      lines,
      exited,
      downAt: undefined,
      alive: true,
      url: undefined,
    };
    void exited.then(() => {
      member.alive = false;
    });
    this.members.set(name, member);
    await until(
      `${name} runs`,
      () => {
        if (!member.alive) throw new Error(`${name} exited: ${lines.map((l) => l.msg).join('\n')}`);
        const running = lines.find((l) => l.msg.startsWith('running as'));
        member.url = running?.url as string | undefined;
        return running !== undefined;
      },
      o.waitMs ?? 30_000,
    );
    return member;
  }

  live(): Member[] {
    return [...this.members.values()].filter((m) => m.alive && m.downAt === undefined);
  }

  kill9(m: Member): void {
    m.downAt = now();
    m.child.kill('SIGKILL');
  }

  pause(m: Member): void {
    m.downAt = now();
    m.child.kill('SIGSTOP');
  }

  resume(m: Member): void {
    m.child.kill('SIGCONT');
  }

  /** A graceful stop: SIGTERM, and wait for the exit. */
  async terminate(m: Member, ms = 20_000): Promise<number | null> {
    m.child.kill('SIGTERM');
    const code = await Promise.race([m.exited, new Promise<'late'>((r) => setTimeout(() => r('late'), ms))]);
    if (code === 'late') throw new Error(`${m.name} did not stop within ${ms} ms of SIGTERM`);
    return code;
  }

  /** Log lines of `m` whose message starts with `prefix`. */
  logged(m: Member, prefix: string): LogLine[] {
    return m.lines.filter((l) => l.msg.startsWith(prefix));
  }

  /** Every process's pid and when it went down, for the call log's checks. */
  gone(): Map<number, number> {
    const out = new Map<number, number>();
    for (const m of this.members.values()) if (m.downAt !== undefined) out.set(m.pid, m.downAt);
    return out;
  }

  /** Kill every member still running (SIGKILL; a stopped one is resumed first), and wait. */
  async killAll(): Promise<void> {
    const left = [...this.members.values()].filter((m) => m.alive);
    for (const m of left) {
      m.child.kill('SIGKILL');
      m.child.kill('SIGCONT');
    }
    await Promise.all(left.map((m) => m.exited));
  }
}
