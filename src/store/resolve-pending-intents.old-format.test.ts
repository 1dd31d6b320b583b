import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pidOfExitedProcess } from '../../test/helpers/exited-pid.js';
import { TestClock } from '../time/test-clock.js';
import { createFileStore } from './file-store.js';
import { resolvePendingIntents } from './resolve-pending-intents.js';

// Versions before delete intents carried a spec wrote `{ op: 'delete' }` alone, and forgot the
// inventory entry before settling it: a kill in between left an intent nothing can look up.

let base = '';
let deadPid = 0;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'setpoint-old-format-'));
  deadPid = await pidOfExitedProcess();
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('a journal written by the older format', () => {
  it('a delete without its spec, after its entry was forgotten, is settled on reopen', async () => {
    const dir = join(base, 'old-format');
    const before = createFileStore({ dir, clock: new TestClock(), pid: deadPid });
    await before.open();
    await before.record({
      key: 'files/x',
      kind: 'files',
      name: 'x',
      origin: 'created',
      lastApplied: { path: 'x' },
    });
    await before.intend({ key: 'files/x', op: 'delete' }); // the old format: no spec
    await before.forget('files/x'); // the crash came before the settle
    await before.close();

    const after = createFileStore({ dir, clock: new TestClock() });
    await after.open();
    expect(after.pendingIntents()).toHaveLength(1);
    expect(after.pendingIntents()[0]?.spec).toBeUndefined();
    const summary = await resolvePendingIntents(after, async () => {
      throw new Error('the spec {} names no file');
    });
    expect(summary).toEqual({ adopted: 0, retried: 0, forgotten: 1, unresolved: [] });
    await after.close();

    const again = createFileStore({ dir, clock: new TestClock() });
    await again.open();
    expect(again.pendingIntents()).toEqual([]);
    expect(again.inventory().size).toBe(0);
    await again.close();
  });
});
