import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Observed, ProviderContext } from '../contract/provider.js';
import { wait } from './abortable.js';
import { type Exit, isRunning, type ProcessId, startProgram, stopGroup } from './process-control.js';
import { freePort, type ProbeTarget, probeHealthy } from './process-probe.js';
import { type Instance, logFile, type ProcessRecord, tail } from './process-records.js';
import { type ProcessSpec, settingsOf } from './process-spec.js';

/**
 * The processes of one `process` provider, one at a time: start one, wait until it is healthy,
 * stop one, and say how one is doing (what `observe` reports). The provider's operations
 * (`process.ts`) put these steps together and keep the records.
 */

/** `state` in an observed `status`. */
export type ProcessState = 'installing' | 'installed' | 'failed';

/** What `observe` reports besides the spec. */
export interface ProcessStatus {
  readonly state: ProcessState;
  readonly pid: number;
  readonly port?: number;
  readonly startedAt: string;
  readonly healthy: boolean;
  /** How it ended, when this provider saw it end: the exit code, or `null` for a signal. */
  readonly exitCode?: number | null;
}

/** The variables every process inherits from setpoint's environment; the rest it does not. */
const INHERITED = ['PATH', 'HOME', 'LANG'] as const;
/** How often a start is probed while it is waited for. */
const POLL_MS = 100;
/** How many exits are remembered (the oldest are forgotten). */
const MAX_EXITS = 1000;

export interface ProcessInstances {
  /** Start `spec` (a fresh port for `auto`); not recorded yet. */
  start(name: string, spec: ProcessSpec, ctx: ProviderContext): Promise<Instance>;
  /** Wait until `instance` is healthy; it exited, or its start period ran out, is an error. */
  settle(name: string, instance: Instance, ctx: ProviderContext): Promise<void>;
  /** SIGTERM to its process group, SIGKILL after its `stopGrace`; until it is gone. */
  stop(instance: Instance, ctx: ProviderContext): Promise<void>;
  /** The spec it was started with, and its `status`. Changes nothing. */
  describe(record: ProcessRecord, ctx: ProviderContext): Promise<Observed>;
}

/** The processes whose logs are in `dir`, whose relative `cwd` is under `root`. */
export function processInstances(dir: string, root: string, kind: string): ProcessInstances {
  /** How the processes this provider started ended, by pid and start time. */
  const exits = new Map<string, Exit>();
  const idOf = (id: ProcessId) => `${id.pid}:${id.startTime}`;

  function targetOf(instance: Instance): ProbeTarget {
    const spec = instance.spec;
    const env: Record<string, string> = {};
    for (const name of INHERITED) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, spec.env, instance.port === undefined ? {} : { PORT: String(instance.port) });
    return { port: instance.port, cwd: resolve(root, spec.cwd ?? '.'), env };
  }

  async function healthyNow(instance: Instance, ctx: ProviderContext): Promise<boolean> {
    const { probe, timeoutMs } = settingsOf(instance.spec);
    return probe === undefined || probeHealthy(probe, targetOf(instance), timeoutMs, ctx);
  }

  async function describe(record: ProcessRecord, ctx: ProviderContext): Promise<Observed> {
    const running = await isRunning(record);
    const healthy = running && (await healthyNow(record, ctx));
    const young = ctx.clock.now() - Date.parse(record.startedAt) < settingsOf(record.spec).startPeriodMs;
    const state: ProcessState = healthy ? 'installed' : running && young ? 'installing' : 'failed';
    const exit = running ? undefined : exits.get(idOf(record));
    const status: ProcessStatus = {
      state,
      pid: record.pid,
      ...(record.port === undefined ? {} : { port: record.port }),
      startedAt: record.startedAt,
      healthy,
      ...(exit === undefined ? {} : { exitCode: exit.code }),
    };
    return { ...record.spec, status };
  }

  async function start(name: string, spec: ProcessSpec, ctx: ProviderContext): Promise<Instance> {
    const port = spec.port === 'auto' ? await freePort() : spec.port;
    const startedAt = new Date(ctx.clock.now()).toISOString();
    const draft: Instance = {
      pid: 0,
      startTime: '',
      spec,
      ...(port === undefined ? {} : { port }),
      startedAt,
    };
    const { cwd, env } = targetOf(draft);
    await mkdir(dir, { recursive: true });
    const id = await startProgram({
      command: spec.command,
      args: spec.args ?? [],
      cwd,
      env,
      logFile: logFile(dir, name),
      onExit: (id, exit) => {
        if (exits.size >= MAX_EXITS) exits.delete(exits.keys().next().value as string);
        exits.set(idOf(id), exit);
      },
    });
    ctx.log.info({ pid: id.pid, port, version: spec.version }, 'process started');
    return { ...draft, ...id };
  }

  async function settle(name: string, instance: Instance, ctx: ProviderContext): Promise<void> {
    const { startPeriodMs } = settingsOf(instance.spec);
    const startedMs = Date.parse(instance.startedAt);
    const label = `${kind}/${name} (pid ${instance.pid}, version ${instance.spec.version})`;
    for (;;) {
      if (!(await isRunning(instance))) {
        await waitFor(ctx, () => exits.has(idOf(instance)), 1000);
        const exit = exits.get(idOf(instance));
        const how = exit === undefined ? '' : exit.signal ? ` on ${exit.signal}` : ` with code ${exit.code}`;
        throw new Error(`${label} exited${how} before it was healthy${await logTail(name)}`);
      }
      if (await healthyNow(instance, ctx)) return;
      if (ctx.clock.now() - startedMs >= startPeriodMs) {
        throw new Error(
          `${label} was not healthy within its startPeriod of ${startPeriodMs} ms${await logTail(name)}`,
        );
      }
      await pause(ctx, POLL_MS);
    }
  }

  /** The last lines of the log, on one line: an error's message is shown on one. */
  async function logTail(name: string): Promise<string> {
    const lines = (await tail(logFile(dir, name))).split('\n').map((line) => line.trim());
    const text = lines
      .filter((line) => line !== '')
      .slice(-5)
      .join(' | ');
    return text === '' ? '' : `; the end of its log: ${text}`;
  }

  async function stop(instance: Instance, ctx: ProviderContext): Promise<void> {
    await stopGroup(instance, settingsOf(instance.spec).stopGraceMs, ctx.clock, ctx.signal);
  }

  return { start, settle, stop, describe };
}

function pause(ctx: ProviderContext, ms: number): Promise<void> {
  return wait(ctx.clock, ms, ctx.signal);
}

/** Poll `check` every few ms until it holds or `ms` have passed. */
async function waitFor(ctx: ProviderContext, check: () => boolean, ms: number): Promise<void> {
  const until = ctx.clock.now() + ms;
  while (!check() && ctx.clock.now() < until) await pause(ctx, 10);
}
