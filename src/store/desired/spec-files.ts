import { join } from 'node:path';
import { keyOf } from '../../contract/resource.js';
import type { DesiredView } from '../../diff/desired-change.js';
import type { StoreFs } from '../store-fs.js';
import type { Change } from './spec-store.js';
import type { StoredObject } from './stored-object.js';

/**
 * The files of the embedded desired-state store: `desired.json`, a snapshot of the objects
 * with the last changes kept for watchers, and `desired.log`, one JSON line per change since.
 */

/** One line of the log: a change. */
export interface LogLine {
  /** The change's version. */
  readonly v: number;
  readonly t: Change['type'];
  readonly o: StoredObject;
}

export interface Snapshot {
  readonly format: 1;
  readonly version: number;
  readonly compacted: number;
  readonly objects: StoredObject[];
  readonly history: LogLine[];
}

export const FORMAT = 1;

/** What the files of an embedded store hold, read without writing anything. */
export async function readSpecFiles(fs: StoreFs, dir: string) {
  const snapshotPath = join(dir, 'desired.json');
  const objects = new IndexedObjects();
  let history: Change[] = [];
  let compacted = 0;
  let version = 0;
  const snapshotBytes = await fs.readFile(snapshotPath);
  if (snapshotBytes !== undefined) {
    const snapshot = JSON.parse(new TextDecoder().decode(snapshotBytes)) as Snapshot;
    if (snapshot.format !== FORMAT)
      throw new Error(`${snapshotPath}: unknown format ${String(snapshot.format)}`);
    for (const o of snapshot.objects) objects.set(keyOf(o.resource), o);
    history = snapshot.history.map(toChange);
    compacted = snapshot.compacted;
    version = snapshot.version;
  }
  const logBytes = (await fs.readFile(join(dir, 'desired.log'))) ?? new Uint8Array();
  for (const raw of new TextDecoder().decode(logBytes).split('\n')) {
    if (raw === '') continue;
    let line: LogLine;
    try {
      line = JSON.parse(raw) as LogLine;
    } catch {
      break; // torn by a crash: what follows was never acknowledged
    }
    if (line.v <= version) continue;
    const key = keyOf(line.o.resource);
    if (line.t === 'DELETED') objects.delete(key);
    else objects.set(key, line.o);
    history.push(toChange(line));
    version = line.v;
  }
  return { objects, history, compacted, version, logBytes: logBytes.length };
}

/** The objects by key, with who depends on whom, for the rules' view. */
export class IndexedObjects extends Map<string, StoredObject> {
  readonly #dependents = new Map<string, Set<string>>();
  readonly view: DesiredView = {
    current: (key) => this.get(key)?.resource,
    dependents: (key) => this.#dependents.get(key) ?? [],
  };

  override set(key: string, object: StoredObject): this {
    this.#unlink(key);
    super.set(key, object);
    for (const dep of object.resource.dependsOn ?? []) {
      const set = this.#dependents.get(dep) ?? new Set<string>();
      this.#dependents.set(dep, set);
      set.add(key);
    }
    return this;
  }

  override delete(key: string): boolean {
    this.#unlink(key);
    return super.delete(key);
  }

  #unlink(key: string): void {
    for (const dep of this.get(key)?.resource.dependsOn ?? []) {
      const set = this.#dependents.get(dep);
      set?.delete(key);
      if (set?.size === 0) this.#dependents.delete(dep);
    }
  }
}

export const toLine = (c: Change): LogLine => ({ v: c.object.resourceVersion, t: c.type, o: c.object });
export const toChange = (l: LogLine): Change => ({ type: l.t, object: l.o });
