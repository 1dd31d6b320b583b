import { join } from 'node:path';
import { keyOf } from '../../contract/resource.js';
import { writeFileAtomically } from '../atomic-write.js';
import { GroupCommit } from '../group-commit.js';
import { nodeStoreFs, type StoreFile, type StoreFs } from '../store-fs.js';
import { changeOf, keyOfWrite } from './apply-writes.js';
import { FORMAT, readSpecFiles, type Snapshot, toLine } from './spec-files.js';
import { type Change, firstAfter, type SpecStore, type SpecView } from './spec-store.js';
import type { StoredObject } from './stored-object.js';

export { readSpecFiles } from './spec-files.js';

export interface EmbeddedSpecStoreOptions {
  /** The directory that holds `desired.json` and `desired.log` (the state directory). */
  readonly dir: string;
  /** Changes kept for watchers to resume from (at least; a quarter more at most); older ones answer 410. Default 10,000. */
  readonly retain?: number;
  readonly fs?: StoreFs;
}

export interface EmbeddedSpecStore extends SpecStore {
  readonly backend: 'embedded';
  /** The objects, synchronously (for the process that owns the store). */
  objects(): IterableIterator<StoredObject>;
}

/**
 * The desired-state API's store for one instance: the objects in memory, made durable in the
 * state directory as a snapshot (`desired.json`) and a log of the writes since
 * (`desired.log`, one JSON line per change, appended with group commit: a write resolves once
 * its line is fsynced). A line torn by a crash is ignored at open. When the log grows past the
 * number of objects (and at least `retain` lines), a new snapshot replaces it.
 *
 * Versions come from one counter. A transaction runs alone (decide, then its writes are
 * applied in memory in order) and resolves once durable; watchers see a change only then.
 * The last `retain` changes are kept, in the snapshot too, so a watcher resumes across a
 * restart.
 */
export async function openEmbeddedSpecStore(options: EmbeddedSpecStoreOptions): Promise<EmbeddedSpecStore> {
  const fs = options.fs ?? nodeStoreFs;
  const retain = options.retain ?? 10_000;
  const snapshotPath = join(options.dir, 'desired.json');
  const logPath = join(options.dir, 'desired.log');
  await fs.mkdir(options.dir);

  const read = await readSpecFiles(fs, options.dir);
  const objects = read.objects;
  let { history, compacted, version } = read;
  let durable = version;

  const listeners = new Set<() => void>();
  let file: StoreFile | undefined = await fs.open(logPath, 'a');
  let linesSinceSnapshot = 0;
  // Trimmed a quarter at a time, not by one entry per commit (each trim copies the history).
  const slack = Math.max(16, Math.floor(retain / 4));
  const trim = () => {
    if (history.length <= retain + slack) return;
    const over = history.length - retain;
    compacted = history[over - 1]?.object.resourceVersion ?? compacted;
    history = history.slice(over);
  };
  trim();

  const snapshotNow = async () => {
    const snapshot: Snapshot = {
      format: FORMAT,
      version,
      compacted,
      objects: [...objects.values()],
      history: history.map(toLine),
    };
    await writeFileAtomically(fs, snapshotPath, JSON.stringify(snapshot));
    await file?.close();
    file = await fs.open(logPath, 'w');
    await file.sync();
    linesSinceSnapshot = 0;
  };
  // Compact what the log holds now (a line torn by a crash too): the next open reads one file,
  // and nothing is ever appended after a torn line.
  if (read.logBytes > 0) await snapshotNow();

  const log = new GroupCommit(
    async (data) => {
      if (file === undefined) throw new Error('the desired-state store is closed');
      await file.write(data);
      await file.sync();
    },
    async () => {
      if (linesSinceSnapshot > Math.max(retain, objects.size)) await snapshotNow();
    },
  );

  // Transactions run one at a time: each decides on what the last one left.
  let queue: Promise<unknown> = Promise.resolve();
  const committed: Change[] = [];

  const view: SpecView = {
    get: async (key) => objects.get(key),
    ofSource: async (source) => [...objects.values()].filter((o) => o.source === source),
    rulesView: async () => objects.view,
  };

  const store: EmbeddedSpecStore = {
    backend: 'embedded',
    objects: () => objects.values(),
    get: async (key) => objects.get(key),
    list: async (kind) => {
      const items = [...objects.values()].filter((o) => kind === undefined || o.resource.kind === kind);
      items.sort((a, b) => compareKeys(keyOf(a.resource), keyOf(b.resource)));
      return { items, resourceVersion: version };
    },
    transact(decide) {
      const run = queue.then(async () => {
        if (log.failed) await log.drain(); // rethrows the write that failed
        const { writes, result } = await decide(view);
        const changes: Change[] = [];
        for (const write of writes) {
          const key = keyOfWrite(write);
          const change = changeOf(objects.get(key), write, version + 1);
          if (change === undefined) continue;
          version++;
          if (change.type === 'DELETED') objects.delete(key);
          else objects.set(key, change.object);
          changes.push(change);
        }
        if (changes.length === 0) return { changes, result, durable: Promise.resolve() };
        linesSinceSnapshot += changes.length;
        const text = changes.map((c) => `${JSON.stringify(toLine(c))}\n`).join('');
        const durableNow = log.append(text).then(() => {
          committed.push(...changes);
        });
        return { changes, result, durable: durableNow };
      });
      queue = run.catch(() => {});
      return run.then(async ({ changes, result, durable: done }) => {
        await done;
        publish();
        return { changes, result };
      });
    },
    changesSince: async (from, limit = Number.POSITIVE_INFINITY) => {
      publishCommitted();
      if (from < compacted) return 'gone';
      const out: Change[] = [];
      for (let i = firstAfter(history, from); i < history.length && out.length < limit; i++) {
        const change = history[i] as Change;
        if (change.object.resourceVersion > durable) break;
        out.push(change);
      }
      return out;
    },
    version: async () => {
      publishCommitted();
      return durable;
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      await queue;
      await log.drain().catch(() => {});
      await file?.close();
      file = undefined;
      listeners.clear();
    },
  };

  /** Move what is durable into the history watchers read, in version order. */
  function publishCommitted(): void {
    if (committed.length === 0) return;
    for (const change of committed.splice(0)) {
      history.push(change);
      durable = Math.max(durable, change.object.resourceVersion);
    }
    trim();
  }

  function publish(): void {
    publishCommitted();
    for (const listener of listeners) listener();
  }

  return store;
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
