import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

/**
 * The call log the recording provider (`test/fixtures/recording-provider.mjs`) appends to from
 * every process, and what it must show of a group of instances: no duplicate create, and never
 * two processes at work on one key at once.
 */
export interface CallLine {
  readonly pid: number;
  readonly key: string;
  readonly op: 'observe' | 'create' | 'update' | 'delete';
  readonly phase: 'start' | 'end';
  /** Milliseconds on a clock every process on the machine shares. */
  readonly t: number;
}

/** One call: its start and end (`end` undefined: its process died or stopped first). */
export interface Call {
  readonly pid: number;
  readonly key: string;
  readonly op: CallLine['op'];
  readonly start: number;
  readonly end: number | undefined;
}

export function readCalls(path: string): Call[] {
  if (!existsSync(path)) return [];
  const open = new Map<string, CallLine[]>();
  const calls: Call[] = [];
  for (const text of readFileSync(path, 'utf8').split('\n')) {
    if (text === '') continue;
    const line = JSON.parse(text) as CallLine;
    const id = `${line.pid} ${line.key} ${line.op}`;
    if (line.phase === 'start') {
      const list = open.get(id) ?? [];
      list.push(line);
      open.set(id, list);
      continue;
    }
    const start = open.get(id)?.shift();
    if (start !== undefined) calls.push({ ...start, start: start.t, end: line.t });
  }
  for (const list of open.values()) for (const s of list) calls.push({ ...s, start: s.t, end: undefined });
  return calls.sort((a, b) => a.start - b.start);
}

const mutating = (op: CallLine['op']) => op !== 'observe';

function byKey(calls: readonly Call[]): Map<string, Call[]> {
  const keys = new Map<string, Call[]>();
  for (const call of calls) {
    const list = keys.get(call.key) ?? [];
    list.push(call);
    keys.set(call.key, list);
  }
  return keys;
}

/**
 * Creates of a key that already existed: a create that starts after an earlier create of the
 * key completed (with no delete completed between), or that completes while another completed
 * one ran. A create cut short by its process's death, before it completed, is no duplicate.
 */
export function duplicateCreates(calls: readonly Call[]): { key: string; pids: number[] }[] {
  const found: { key: string; pids: number[] }[] = [];
  for (const [key, list] of byKey(calls)) {
    let created: Call | undefined;
    for (const call of list) {
      if (call.op === 'delete' && call.end !== undefined) created = undefined;
      if (call.op !== 'create') continue;
      if (created !== undefined && (created.end ?? Infinity) <= call.start) {
        found.push({ key, pids: [created.pid, call.pid] });
      } else if (created !== undefined && call.end !== undefined && created.end !== undefined) {
        found.push({ key, pids: [created.pid, call.pid] }); // two at once, both took effect
      }
      if (call.end !== undefined && created === undefined) created = call;
    }
  }
  return found;
}

/**
 * Calls on one key by two processes whose times overlap. A call without an end lasts until its
 * process's `gone` time (killed), else for ever. `mutating`: only pairs of creates, updates or
 * deletes; otherwise observes count too.
 */
export function overlaps(
  calls: readonly Call[],
  gone: ReadonlyMap<number, number>,
  o: { mutating: boolean },
): { key: string; a: Call; b: Call }[] {
  const found: { key: string; a: Call; b: Call }[] = [];
  const endOf = (c: Call) => c.end ?? gone.get(c.pid) ?? Infinity;
  for (const [key, list] of byKey(calls)) {
    const relevant = o.mutating ? list.filter((c) => mutating(c.op)) : list;
    for (let i = 0; i < relevant.length; i++) {
      const a = relevant[i]!;
      for (let j = i + 1; j < relevant.length; j++) {
        const b = relevant[j]!;
        if (b.start >= endOf(a)) break; // sorted by start: no later one overlaps a either
        if (a.pid !== b.pid) found.push({ key, a, b });
      }
    }
  }
  return found;
}

/** Calls `pid` started at or after `t`. */
export function callsSince(calls: readonly Call[], pid: number, t: number): Call[] {
  return calls.filter((c) => c.pid === pid && c.start >= t);
}

/** Reads the lines a call log gained since the last read (the log only grows). */
export class CallTail {
  #offset = 0;
  #rest = '';
  constructor(private readonly path: string) {}

  read(): CallLine[] {
    if (!existsSync(this.path)) return [];
    const fd = openSync(this.path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= this.#offset) return [];
      const chunk = Buffer.alloc(size - this.#offset);
      readSync(fd, chunk, 0, chunk.length, this.#offset);
      this.#offset = size;
      const parts = (this.#rest + chunk.toString()).split('\n');
      this.#rest = parts.pop() ?? '';
      return parts.filter((p) => p !== '').map((p) => JSON.parse(p) as CallLine);
    } finally {
      closeSync(fd);
    }
  }
}
