import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempStateDirs } from '../../../test/helpers/state-dirs.js';
import { keyOf, type Resource } from '../../contract/resource.js';
import { openEmbeddedSpecStore } from './embedded-store.js';
import type { Write } from './spec-store.js';

const stateDir = tempStateDirs('setpoint-spec-store-');
const res = (name: string, content = name, dependsOn?: string[]): Resource => ({
  kind: 'files',
  name,
  spec: { path: name, content },
  ...(dependsOn ? { dependsOn } : {}),
});
const put = (resource: Resource, labels: Record<string, string> = {}): Write => ({
  op: 'put',
  resource,
  labels,
  source: 'api',
});
const write = (writes: Write[]) => async () => ({ writes, result: undefined });

describe('the embedded desired-state store', () => {
  it('gives each write the next version, in order, and the generation only to spec changes', async () => {
    const store = await openEmbeddedSpecStore({ dir: await stateDir() });
    const { changes } = await store.transact(write([put(res('a')), put(res('b'))]));
    expect(changes.map((c) => [c.type, c.object.resourceVersion, c.object.generation])).toEqual([
      ['ADDED', 1, 1],
      ['ADDED', 2, 1],
    ]);
    const labels = await store.transact(write([put(res('a'), { t: 'x' })]));
    expect(labels.changes[0]?.object).toMatchObject({ resourceVersion: 3, generation: 1 });
    const spec = await store.transact(write([put(res('a', 'new'), { t: 'x' })]));
    expect(spec.changes[0]?.object).toMatchObject({ resourceVersion: 4, generation: 2 });
    const same = await store.transact(write([put(res('a', 'new'), { t: 'x' })]));
    expect(same.changes).toEqual([]);
    const status = await store.transact(
      write([{ op: 'status', key: 'files/a', status: { ok: true }, observedGeneration: 2 }]),
    );
    expect(status.changes[0]?.object).toMatchObject({
      resourceVersion: 5,
      generation: 2,
      observedGeneration: 2,
    });
    expect(await store.changesSince(3)).toHaveLength(2);
    await store.close();
  });

  it('keeps every acknowledged write across a reopen, ignores a line torn by a crash, and writes nothing after it', async () => {
    const dir = await stateDir();
    let store = await openEmbeddedSpecStore({ dir });
    await store.transact(write([put(res('a')), put(res('b'))]));
    await store.transact(write([{ op: 'delete', key: 'files/a' }]));
    await store.close();
    // A crash in the middle of an append: half a line at the end.
    appendFileSync(join(dir, 'desired.log'), '{"v":4,"t":"ADDED","o":{"resou');
    store = await openEmbeddedSpecStore({ dir });
    expect((await store.list()).items.map((o) => keyOf(o.resource))).toEqual(['files/b']);
    await store.transact(write([put(res('c'))]));
    await store.close();
    const lines = readFileSync(join(dir, 'desired.log'), 'utf8').split('\n').filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as { v: number }).v)).toEqual([4]);
    store = await openEmbeddedSpecStore({ dir });
    const { items, resourceVersion } = await store.list();
    expect(items.map((o) => keyOf(o.resource))).toEqual(['files/b', 'files/c']);
    expect(resourceVersion).toBe(4);
    // The history survives too: a watcher resumes across the restart.
    expect((await store.changesSince(1)).length).toBe(3);
    await store.close();
  });

  it('answers gone for a version older than the changes it keeps, and keeps at least as many as asked', async () => {
    const store = await openEmbeddedSpecStore({ dir: await stateDir(), retain: 3 });
    for (let i = 0; i < 30; i++) await store.transact(write([put(res(`r${i}`))]));
    expect(await store.changesSince(1)).toBe('gone');
    expect(((await store.changesSince(27)) as unknown[]).length).toBe(3);
    await store.close();
  });

  it('reads back, after any writes and a reopen, what a model of it holds', async () => {
    const dir = await stateDir();
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            name: fc.constantFrom('a', 'b', 'c'),
            op: fc.constantFrom('put', 'delete'),
            v: fc.nat(3),
          }),
          {
            maxLength: 30,
          },
        ),
        fc.integer({ min: 2, max: 40 }),
        async (ops, retain) => {
          const store = await openEmbeddedSpecStore({ dir, retain });
          const before = new Map(
            (await store.list()).items.map((o) => [keyOf(o.resource), o.resource.spec.content]),
          );
          // Concurrent transactions: their order is the order they were called in.
          await Promise.all(
            ops.map((o) =>
              store.transact(
                write([
                  o.op === 'put' ? put(res(o.name, String(o.v))) : { op: 'delete', key: `files/${o.name}` },
                ]),
              ),
            ),
          );
          for (const o of ops) {
            if (o.op === 'put') before.set(`files/${o.name}`, String(o.v));
            else before.delete(`files/${o.name}`);
          }
          await store.close();
          const again = await openEmbeddedSpecStore({ dir, retain });
          const after = new Map(
            (await again.list()).items.map((o) => [keyOf(o.resource), o.resource.spec.content]),
          );
          await again.close();
          expect(after).toEqual(before);
        },
      ),
      { numRuns: 40 },
    );
  });
});
