import { CallTail, duplicateCreates, overlaps, readCalls } from './call-log.js';
import { cutOwner, pauseOwner } from './chaos-faults.js';
import { killAndTakeover, moved, waitBalanced, waitConverged } from './chaos-steps.js';
import { Group, now, thingNames } from './cluster-procs.js';
import { connectDb, LeaseSampler } from './group-db.js';
import { until } from './poll.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

/**
 * The chaos scenarios against a group of real `setpoint run` processes on one PostgreSQL
 * database, in order: a kill -9 in the middle of the first creates; a member added and one
 * removed; an owner paused (SIGSTOP) past its lease while its resources change, then resumed;
 * an owner cut off from the database. Returns what was measured; the caller judges it (the test
 * asserts, `scripts/chaos.ts` prints).
 */
export interface ChaosOptions {
  readonly dir: string;
  readonly bin: string;
  readonly nodeFlags?: readonly string[];
  /** An empty database. */
  readonly url: string;
  readonly shards: number;
  /** Instances started first (at least 3: p2 is paused, p3 cut off); one more joins and leaves. */
  readonly members?: number;
  readonly resources: number;
  readonly leaseTtlMs: number;
  readonly renewEveryMs: number;
  readonly latencyMs: number;
  readonly concurrency: number;
  /** How long convergence may take, each time. */
  readonly convergeMs: number;
  readonly progress?: (message: string) => void;
}

export interface MembershipChange {
  readonly change: string;
  readonly members: number;
  readonly moved: number;
  readonly bound: number;
}

export interface ChaosFigures {
  convergeFirstMs?: number;
  takeoverAfterKillMs?: number;
  membership: MembershipChange[];
  pause?: {
    takeoverMs: number;
    lostLogged: string | undefined;
    /** When it logged them lost, after SIGCONT (ms). */
    lostAt: number | undefined;
    staleSamples: string[];
    /** Provider calls after SIGCONT on keys of shards it no longer held: creates, updates, deletes… */
    staleWrites: number;
    /** … and observes. */
    staleReads: number;
    staleStatusRows: number;
    convergeMs: number;
  };
  cut?: CutFigures;
  /** The same, the connections reset: the server ends the sessions (and frees their locks). */
  cutReset?: CutFigures;
  convergeLastMs?: number;
  /** A scenario that could not finish (a wait timed out), with what the members last warned. */
  error?: string;
  duplicates: { key: string; pids: number[] }[];
  overlaps: number;
  overlapSamples: string[];
  worstOwnerlessMs: number;
  ownerlessBoundMs: number;
}

export interface CutFigures {
  /** When it logged its shards lost, after the cut (ms). */
  readonly stoppedAfterMs: number | undefined;
  /** When another instance first claimed one of them, after the cut (ms). */
  readonly firstClaimAfterMs: number;
  readonly stoppedBeforeClaim: boolean;
  /** Claims made before the lease (as last renewed before the cut) expired. */
  readonly claimsBeforeExpiry: number;
  readonly shards: number;
}

export async function runChaos(o: ChaosOptions): Promise<ChaosFigures> {
  const began = now();
  const say = (message: string) => o.progress?.(`${((now() - began) / 1000).toFixed(1)} s ${message}`);
  const group = new Group({ ...o, perFile: 500 });
  const names = thingNames(o.resources);
  group.writeResources(names, () => 'v1');
  const db = await connectDb(o.url);
  const target = new URL(o.url);
  const proxy: TcpProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  const viaProxy = new URL(o.url);
  viaProxy.port = String(proxy.port);
  const sampler = new LeaseSampler(db, (owner) => group.members.get(owner)?.downAt);
  const figures: ChaosFigures = {
    membership: [],
    duplicates: [],
    overlaps: 0,
    overlapSamples: [],
    worstOwnerlessMs: 0,
    ownerlessBoundMs: o.leaseTtlMs + o.renewEveryMs,
  };
  try {
    const first = Math.max(3, o.members ?? 3);
    say(`starting ${first} instances: ${o.resources} resources, ${o.shards} shards`);
    const t0 = now();
    await group.start('p1');
    sampler.start();
    const others = Array.from({ length: first - 1 }, (_, i) => `p${i + 2}`);
    await Promise.all(
      others.map((name) => group.start(name, name === 'p3' ? { url: viaProxy.toString() } : {})),
    );
    const p1 = group.members.get('p1')!;
    // Kill p1 in the middle of its creates.
    const tail = new CallTail(group.calls);
    let made = 0;
    await until(
      'p1 made some creates',
      () => {
        for (const c of tail.read()) if (c.pid === p1.pid && c.op === 'create' && c.phase === 'end') made++;
        return made >= Math.min(50, o.resources / 10);
      },
      120_000,
    );
    say(`kill -9 p1 in the middle of its creates (${made} made)`);
    figures.takeoverAfterKillMs = await killAndTakeover(group, db, p1);
    say(`p1's shards taken over in ${figures.takeoverAfterKillMs.toFixed(0)} ms`);
    await waitConverged(group, db, o.convergeMs);
    figures.convergeFirstMs = now() - t0;
    say(`converged ${figures.convergeFirstMs.toFixed(0)} ms after the first start`);

    const change = async (what: string, act: () => Promise<unknown>) => {
      const before = await waitBalanced(group, db, o.renewEveryMs * 3);
      await act();
      const after = await waitBalanced(group, db, o.renewEveryMs * 3);
      const members = group.live().length;
      const entry = {
        change: what,
        members,
        moved: moved(before, after),
        bound: Math.ceil(o.shards / members) + 1,
      };
      figures.membership.push(entry);
      say(`${what}: ${entry.moved} shards moved (bound ${entry.bound})`);
    };
    const count = () => group.live().length;
    const extra = `p${first + 1}`;
    await change(`added ${extra} (${count()} → ${count() + 1})`, () => group.start(extra));
    await change(`removed ${extra} by SIGTERM (${count()} → ${count() - 1})`, () =>
      group.terminate(group.members.get(extra)!),
    );

    figures.pause = await pauseOwner(group, db, o, names, say);
    figures.cut = await cutOwner(group, db, proxy, o, say, 'p3', 'blackhole');
    // The same through a reset: the server sees the sessions end, as it does when a process dies.
    proxy.heal();
    await group.start('p9', { url: viaProxy.toString(), publish: false });
    figures.cutReset = await cutOwner(group, db, proxy, o, say, 'p9', 'reset');
    figures.convergeLastMs = await waitConverged(group, db, o.convergeMs);
  } catch (error) {
    // What each member logged at warn and above, last first, to tell why.
    const said = [...group.members.values()].map(
      (m) =>
        `${m.name}: ${m.lines
          .filter((l) => l.level >= 40)
          .slice(-4)
          .map((l) => `${l.time} ${l.msg}`)
          .join(' | ')}`,
    );
    figures.error = `${(error as Error).message}\n${said.join('\n')}`;
  } finally {
    sampler.stop();
    figures.worstOwnerlessMs = sampler.worst();
    await group.killAll();
    await proxy.close();
    await db.end().catch(() => undefined);
  }
  const calls = readCalls(group.calls);
  figures.duplicates = duplicateCreates(calls);
  const found = overlaps(calls, group.gone(), { mutating: false });
  figures.overlaps = found.length;
  const byPid = new Map([...group.members.values()].map((m) => [m.pid, m]));
  const at = (t: number) => `${((t - began) / 1000).toFixed(3)} s`;
  figures.overlapSamples = found.slice(0, 5).map(({ key, a, b }) => {
    // What the first process logged about its shards shortly before: why it let the key go.
    const m = byPid.get(a.pid);
    const why = m?.lines
      .filter((l) => /^(lost|gained)/.test(l.msg) && l.time >= a.start - 3000 && l.time <= b.start + 200)
      .map((l) => `${at(l.time)} ${l.msg.slice(0, 60)}`);
    return `${key}: ${a.op} by ${m?.name ?? a.pid} ${at(a.start)}–${a.end === undefined ? '?' : at(a.end)}, ${b.op} by ${byPid.get(b.pid)?.name ?? b.pid} at ${at(b.start)}; ${m?.name} logged: ${why?.join(' / ') || 'nothing'}`;
  });
  return figures;
}
