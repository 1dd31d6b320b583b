/**
 * Run one bench in a fresh process, so no heap, JIT state or timer queue leaks from one
 * measure into the next, and read the JSON it prints.
 */
import { spawn } from 'node:child_process';

export type ChildResult =
  | { readonly ok: true; readonly json: Record<string, unknown>; readonly seconds: number }
  | { readonly ok: false; readonly error: string; readonly seconds: number };

export interface ChildCommand {
  /** The program: `process.execPath` for a Node bench, `bash` for the BEAM script. */
  readonly command: string;
  readonly args: readonly string[];
  /** Kill the run after this long and report it as failed. */
  readonly timeoutMs: number;
  /** Prefix for the child's stderr lines, forwarded to ours as progress. */
  readonly label: string;
}

/** A Node bench: `node --expose-gc [flags] --import tsx <file> <args> --json`. */
export function nodeBench(
  file: string,
  args: readonly string[],
  o: { timeoutMs: number; label: string; nodeFlags?: readonly string[] },
): ChildCommand {
  return {
    command: process.execPath,
    args: ['--expose-gc', ...(o.nodeFlags ?? []), '--import', 'tsx', file, ...args, '--json'],
    timeoutMs: o.timeoutMs,
    label: o.label,
  };
}

/** The JSON a bench printed: the whole of stdout, or else its last line that parses. */
export function parseOutput(stdout: string): Record<string, unknown> | undefined {
  const text = stdout.trim();
  const tryParse = (s: string) => {
    try {
      const v: unknown = JSON.parse(s);
      return typeof v === 'object' && v !== null && !Array.isArray(v)
        ? (v as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  };
  const whole = tryParse(text);
  if (whole) return whole;
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line.startsWith('{')) {
      const v = tryParse(line);
      if (v) return v;
    }
  }
  return undefined;
}

/** Why a run died, in a few words, from the tail of its stderr. */
function diagnose(code: number | null, signal: string | null, stderrTail: string, timedOut: boolean): string {
  if (timedOut) return 'timed out';
  if (/heap out of memory|Allocation failed/i.test(stderrTail)) return 'out of memory (heap limit reached)';
  const last = stderrTail.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
  return `exited with ${signal ?? code}${last ? `: ${last.slice(0, 160)}` : ''}`;
}

export function runChild(cmd: ChildCommand): Promise<ChildResult> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  return new Promise((resolve) => {
    const child = spawn(cmd.command, cmd.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderrTail = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, cmd.timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
      for (const line of chunk.split('\n')) {
        if (line.trim()) process.stderr.write(`    [${cmd.label}] ${line.trimStart()}\n`);
      }
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, error: error.message, seconds: seconds() });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const json = code === 0 ? parseOutput(stdout) : undefined;
      if (json) resolve({ ok: true, json, seconds: seconds() });
      else
        resolve({
          ok: false,
          error: code === 0 ? 'printed no JSON' : diagnose(code, signal, stderrTail, timedOut),
          seconds: seconds(),
        });
    });
  });
}
