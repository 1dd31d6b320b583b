import { readFile } from 'node:fs/promises';

/**
 * Whether a process id still names the process that left something behind (a lock, a
 * temporary file). A pid alone is not enough: once a process dies its pid is reused, so a
 * live pid may be another program. Where the system says when each process started (Linux,
 * `/proc`), that start is compared too.
 */

/** `process.kill(pid, 0)` sends nothing; it only asks whether the process exists. */
export function pidIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to another user.
    return (error as { code?: unknown })?.code === 'EPERM';
  }
}

/**
 * When `pid` started, in clock ticks since boot (field 22 of `/proc/<pid>/stat`), as text: two
 * processes with one pid never share it. `undefined` where there is no `/proc` or no such pid.
 */
export async function processStartTicks(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    return ticks !== undefined && /^\d+$/.test(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of `/proc`'s times: 100 on every Linux in common use. */
const TICKS_PER_SECOND = 100;

/**
 * When `pid` started, in ms since the epoch, to about a second (the boot time is in seconds);
 * `undefined` where `/proc` does not say.
 */
export async function processStartedAtMs(pid: number): Promise<number | undefined> {
  const ticks = await processStartTicks(pid);
  if (ticks === undefined) return undefined;
  try {
    const boot = /^btime (\d+)$/m.exec(await readFile('/proc/stat', 'utf8'));
    if (!boot) return undefined;
    return Number(boot[1]) * 1000 + (Number(ticks) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** Slack on start times, which `/proc` gives to about a second. */
const START_SLACK_MS = 2000;

/**
 * `pid` names a process that started after `atMs` (ms since the epoch, e.g. when a file it
 * would have written was last changed): so it is not the process that wrote it, but one that
 * got its pid since. False where `/proc` does not say.
 */
export async function startedAfter(pid: number, atMs: number): Promise<boolean> {
  const started = await processStartedAtMs(pid);
  return started !== undefined && started > atMs + START_SLACK_MS;
}
