import { spawn } from 'node:child_process';
import { readFileSync, type Stats } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import type { Clock } from '../time/clock.js';
import { wait } from './abortable.js';

/**
 * Starting, finding and stopping the processes of the `process` provider. The one place in
 * `src/` that starts a child process: always a program and a list of arguments, never a shell
 * (`shell` stays false), so no spec value is ever parsed as a command line.
 *
 * A process is known by its pid **and** its start time (field 22 of `/proc/<pid>/stat`, clock
 * ticks since boot): a pid reused by another program has another start time, so it is never
 * mistaken for ours, never signalled as ours.
 */

/** Who a started process is. */
export interface ProcessId {
  readonly pid: number;
  /** Field 22 of `/proc/<pid>/stat`, as text. */
  readonly startTime: string;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: string | null;
}

interface ProcStat {
  readonly state: string;
  readonly pgrp: number;
  readonly startTime: string;
}

/** The state, process group and start time of `pid`, or `undefined` when there is none. */
async function procStat(pid: number | string): Promise<ProcStat | undefined> {
  try {
    return parseStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseStat(text: string): ProcStat | undefined {
  // The command name (field 2) is in parentheses and may hold spaces: count after its end.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const [state, , pgrp] = fields;
  const startTime = fields[19];
  if (state === undefined || pgrp === undefined || startTime === undefined) return undefined;
  return { state, pgrp: Number(pgrp), startTime };
}

const gone = (s: ProcStat | undefined) => s === undefined || s.state === 'Z' || s.state === 'X';

/** `id` names a live process (not a zombie) that started when ours did. */
export async function isRunning(id: ProcessId): Promise<boolean> {
  const s = await procStat(id.pid);
  return !gone(s) && s?.startTime === id.startTime;
}

/**
 * The live processes of `id`'s process group (it leads one: it was started detached). The
 * leader may have exited and left children behind; its pid is not given to another process
 * while the group lives, so a leader with another start time means the group is gone.
 */
export async function groupMembers(id: ProcessId): Promise<number[]> {
  const leader = await procStat(id.pid);
  if (leader !== undefined && leader.startTime !== id.startTime) return [];
  const members: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = await procStat(entry);
    if (s?.pgrp === id.pid && !gone(s)) members.push(Number(entry));
  }
  return members;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ESRCH') throw error;
  }
}

const POLL_MS = 25;
/** How long a group may take to go once sent SIGKILL, which no process can ignore. */
const KILL_WAIT_MS = 10_000;

/**
 * Stop `id`'s process group: SIGTERM, SIGKILL after `graceMs`, then wait until no member is
 * left. Nothing to do when it is gone already.
 */
export async function stopGroup(
  id: ProcessId,
  graceMs: number,
  clock: Clock,
  signal: AbortSignal,
): Promise<void> {
  if ((await groupMembers(id)).length === 0) return;
  signalGroup(id.pid, 'SIGTERM');
  const killAt = clock.now() + graceMs;
  while (clock.now() < killAt) {
    await wait(clock, Math.min(POLL_MS, Math.max(1, killAt - clock.now())), signal);
    if ((await groupMembers(id)).length === 0) return;
  }
  const giveUpAt = clock.now() + KILL_WAIT_MS;
  for (;;) {
    // Again each time: a member may have forked after the first SIGKILL.
    const left = await groupMembers(id);
    if (left.length === 0) return;
    if (clock.now() > giveUpAt) {
      throw new Error(`process group ${id.pid} still has ${left.join(', ')} after SIGKILL`);
    }
    signalGroup(id.pid, 'SIGKILL');
    await wait(clock, POLL_MS, signal);
  }
}

export interface StartOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  /** Called when the process exits, if this process is still running then. */
  readonly onExit: (id: ProcessId, exit: Exit) => void;
}

/**
 * Start a program detached (its own session and process group, stdin closed, stdout and stderr
 * appended to `logFile`), so it outlives this process; nothing here keeps this process alive.
 */
export async function startProgram(options: StartOptions): Promise<ProcessId> {
  const dir = await stat(options.cwd).catch(() => undefined as Stats | undefined);
  if (!dir?.isDirectory()) throw new Error(`the working directory ${options.cwd} does not exist`);
  const log = await open(options.logFile, 'a', 0o600);
  try {
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: { ...options.env },
      detached: true,
      shell: false,
      stdio: ['ignore', log.fd, log.fd],
    });
    const pid = child.pid;
    if (pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      throw new Error(`cannot start \`${options.command}\`: ${error.message}`, { cause: error });
    }
    // Read before anything awaits: until then the child cannot have been reaped, so its
    // entry is there even if it exited at once (a zombie).
    let started: ProcStat | undefined;
    try {
      started = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      started = undefined;
    }
    if (started === undefined)
      throw new Error(`cannot read /proc/${pid}/stat: the process provider needs Linux`);
    const id: ProcessId = { pid, startTime: started.startTime };
    child.on('error', () => {}); // a signal to a process gone already: nothing to report
    child.once('exit', (code, signal) => options.onExit(id, { code, signal }));
    child.unref();
    return id;
  } finally {
    await log.close();
  }
}

export interface CheckOptions {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly signal: AbortSignal;
}

/**
 * Run a check command to its end: true when it exits 0 within `timeoutMs`. Past that, or when
 * `signal` aborts, its process group is killed; it cannot be started is false too.
 */
export function runCheck(options: CheckOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: { ...options.env },
      detached: true,
      shell: false,
      stdio: 'ignore',
    });
    const kill = () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        signalGroup(child.pid, 'SIGKILL');
      }
    };
    const timer = options.clock.setTimeout(kill, options.timeoutMs);
    options.signal.addEventListener('abort', kill, { once: true });
    const done = (healthy: boolean) => {
      options.clock.clearTimeout(timer);
      options.signal.removeEventListener('abort', kill);
      resolve(healthy);
    };
    child.once('error', () => done(false));
    child.once('exit', (code) => done(code === 0));
  });
}
