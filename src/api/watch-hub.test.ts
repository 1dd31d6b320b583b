import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEmbeddedSpecStore } from '../store/desired/embedded-store.js';
import type { SpecStore } from '../store/desired/spec-store.js';
import { TestClock } from '../testing.js';
import { createDesiredApi } from './desired-api.js';
import { type WatchEvent, WatchHub } from './watch-hub.js';

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** An embedded store that counts the reads of its changes, an API and a hub on it. */
async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'setpoint-hub-'));
  dirs.push(dir);
  const inner = await openEmbeddedSpecStore({ dir });
  const reads = { count: 0 };
  const store: SpecStore = Object.create(inner, {
    changesSince: {
      value: (version: number, limit?: number) => {
        reads.count++;
        return inner.changesSince(version, limit);
      },
    },
  });
  const api = createDesiredApi({ store, kinds: new Set(['files']) });
  const hub = await WatchHub.start({ store, clock: new TestClock(), render: api.render });
  closers.push(async () => {
    hub.close();
    await inner.close();
  });
  const write = (name: string, content: string) =>
    api.replace(`files/${name}`, { kind: 'files', name, spec: { path: `/tmp/${name}`, content } });
  return { hub, api, reads, write };
}

/** The versions of the changes a watcher was sent, in order. */
function collect(events: WatchEvent[]): number[] {
  return events.filter((e) => e.type !== 'BOOKMARK' && e.type !== 'ERROR').map((e) => e.resourceVersion);
}

describe('WatchHub', () => {
  it('reads nothing while nobody watches, and a watch after hands over every change since its version', async () => {
    const { hub, api, reads, write } = await setup();
    for (let i = 0; i < 20; i++) await write(`a${i}`, 'v1');
    expect(reads.count).toBe(0);
    const from = 5;
    const got: WatchEvent[] = [];
    const watch = await hub.watch({ from, send: (events) => got.push(...events) });
    for (let i = 0; i < 10; i++) await write(`b${i}`, 'v1');
    await hub.pull();
    const { resourceVersion } = await api.list();
    expect(collect(got)).toEqual(Array.from({ length: resourceVersion - from }, (_, i) => from + 1 + i));
    watch.close();
    // The last watcher gone, the hub reads once more at most, then goes idle again.
    await write('c', 'v1');
    await hub.pull();
    const after = reads.count;
    for (let i = 0; i < 10; i++) await write(`d${i}`, 'v1');
    await hub.pull();
    expect(reads.count).toBe(after);
  });

  it('misses and repeats nothing when watches start and end while writes commit', async () => {
    const { hub, api, write } = await setup();
    const writing = (async () => {
      for (let i = 0; i < 200; i++) await write(`k${i % 40}`, `v${i}`);
    })();
    const seen: number[][] = [];
    for (let round = 0; round < 8; round++) {
      const got: WatchEvent[] = [];
      const from = (await api.list()).resourceVersion;
      const watch = await hub.watch({ from, send: (events) => got.push(...events) });
      await new Promise((resolve) => setImmediate(resolve));
      await hub.pull();
      watch.close();
      const versions = collect(got);
      seen.push(versions);
      // From its version on, in order and without a gap, up to where it stopped.
      expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => from + 1 + i));
    }
    await writing;
    const got: WatchEvent[] = [];
    const watch = await hub.watch({ from: 0, send: (events) => got.push(...events) });
    await hub.pull();
    watch.close();
    expect(collect(got)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(seen).toHaveLength(8);
  });
});
