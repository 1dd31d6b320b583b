import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomically } from './file-io.js';
import { isRecord } from './options.js';
import type { ProcessId } from './process-control.js';
import type { ProcessSpec } from './process-spec.js';

/**
 * The records of the `process` provider: one JSON file per resource, `<dir>/<name>.json`,
 * naming the process that runs it. A record is how a restarted setpoint finds the processes
 * that outlived it, and so never starts a second copy. It is written whole (temporary file,
 * fsync, rename): a reader sees the old record or the new one.
 *
 * ```json
 * { "name": "web", "pid": 4242, "startTime": "183211", "port": 40113,
 *   "startedAt": "2025-01-01T10:00:00.000Z", "spec": { "command": "node", ... }, "others": [] }
 * ```
 *
 * `others` are processes an update started (or was retiring) when it was cut short: the next
 * operation stops them.
 */

/** One process started for a resource. */
export interface Instance extends ProcessId {
  /** The spec it was started with, as written. */
  readonly spec: ProcessSpec;
  /** The port it was given as `PORT`, if any. */
  readonly port?: number;
  /** When it was started, ISO 8601. */
  readonly startedAt: string;
}

export interface ProcessRecord extends Instance {
  readonly name: string;
  readonly others: readonly Instance[];
}

/** A resource name as a file name: `/`, `%` and the like percent-encoded. */
function stem(name: string): string {
  return encodeURIComponent(name);
}

function nameOf(fileStem: string): string | undefined {
  try {
    return decodeURIComponent(fileStem);
  } catch {
    return undefined;
  }
}

export function recordFile(dir: string, name: string): string {
  return join(dir, `${stem(name)}.json`);
}

export function logFile(dir: string, name: string): string {
  return join(dir, `${stem(name)}.log`);
}

function isInstance(value: unknown): value is Instance {
  return (
    isRecord(value) &&
    Number.isSafeInteger(value.pid) &&
    (value.pid as number) > 0 &&
    typeof value.startTime === 'string' &&
    isRecord(value.spec) &&
    (value.port === undefined || Number.isSafeInteger(value.port)) &&
    typeof value.startedAt === 'string'
  );
}

function parse(text: string, file: string): ProcessRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not a process record: ${(error as Error).message}`);
  }
  const record = value as Partial<ProcessRecord>;
  if (
    !isInstance(value) ||
    typeof record.name !== 'string' ||
    !Array.isArray(record.others) ||
    !record.others.every(isInstance)
  ) {
    throw new Error(`${file} is not a process record: move it away, and stop the process it names by hand`);
  }
  return value as ProcessRecord;
}

/** The record of `name`, or `undefined` when there is none. A damaged record is an error. */
export async function readRecord(dir: string, name: string): Promise<ProcessRecord | undefined> {
  const file = recordFile(dir, name);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  return parse(text, file);
}

/** Every record in `dir` (none when it does not exist yet). */
export async function readRecords(dir: string): Promise<ProcessRecord[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw error;
  }
  const records: ProcessRecord[] = [];
  for (const entry of names.filter((n) => n.endsWith('.json')).sort()) {
    const name = nameOf(entry.slice(0, -'.json'.length));
    // Only the files this provider names: `recordFile` gives each name one file.
    if (name === undefined || recordFile(dir, name) !== join(dir, entry)) continue;
    const record = await readRecord(dir, name);
    if (record) records.push(record);
  }
  return records;
}

// A record is written after a process started, whatever happens to the operation: an abort
// then must not leave a running process nobody knows of.
const NEVER = new AbortController().signal;

/** Write `record` whole, replacing the one before. */
export async function writeRecord(dir: string, record: ProcessRecord): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomically(recordFile(dir, record.name), `${JSON.stringify(record, null, 2)}\n`, 0o600, NEVER);
}

export async function removeRecord(dir: string, name: string): Promise<void> {
  await rm(recordFile(dir, name), { force: true });
}

/** The instance fields alone (of a record, say). */
export function instanceOf(from: Instance): Instance {
  const { pid, startTime, spec, port, startedAt } = from;
  return { pid, startTime, spec, ...(port === undefined ? {} : { port }), startedAt };
}

/** `instance` as a record of `name`, with `others` still to stop. */
export function recordOf(name: string, instance: Instance, others: readonly Instance[] = []): ProcessRecord {
  return { name, ...instanceOf(instance), others: others.map(instanceOf) };
}

/** The last `bytes` of `file`, for an error message; empty when there is nothing to read. */
export async function tail(file: string, bytes = 400): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(file, 'r');
    const { size } = await handle.stat();
    const from = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - from);
    await handle.read(buffer, 0, buffer.length, from);
    return `${from > 0 ? '…' : ''}${buffer.toString('utf8')}`;
  } catch {
    return '';
  } finally {
    await handle?.close();
  }
}
