import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../config/defaults.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { Resource } from '../contract/resource.js';
import type { InventoryEntry } from '../store/index.js';
import { emptyPruneRefusal, orphansOf } from './prune.js';

const entry = (key: string, extra: Partial<InventoryEntry> = {}): [string, InventoryEntry] => {
  const [kind = '', name = ''] = key.split('/');
  return [key, { key, kind, name, origin: 'created', updatedAt: 0, ...extra }];
};

describe('pruning at start-up', () => {
  it('finds managed resources no longer desired, rebuilt from what was last applied', () => {
    const inventory = new Map([
      entry('files/a', { lastApplied: { path: 'a' } }),
      entry('files/b', { lastGood: { path: 'b' } }),
      entry('files/kept', { lastApplied: { path: 'kept' } }),
      entry('gone/x'),
    ]);
    const desired: Resource[] = [{ kind: 'files', name: 'kept', spec: { path: 'kept' } }];
    expect(orphansOf(inventory, desired, new Set(['files']))).toEqual({
      resources: [
        { kind: 'files', name: 'a', spec: { path: 'a' } },
        { kind: 'files', name: 'b', spec: { path: 'b' } },
      ],
      unservable: ['gone/x'],
    });
  });

  it('refuses an empty desired set that would delete everything, unless allowEmpty', () => {
    const config = (prune: boolean, allowEmpty: boolean, resources: Resource[] = []) =>
      ({ resources, defaults: { ...CONFIG_DEFAULTS, prune, allowEmpty } }) as unknown as LoadedConfig;
    expect(emptyPruneRefusal(config(true, false), 3)).toMatch(
      /would delete all 3 managed resources.*allowEmpty/,
    );
    expect(emptyPruneRefusal(config(true, false), 0)).toBeUndefined();
    expect(emptyPruneRefusal(config(true, true), 3)).toBeUndefined();
    expect(emptyPruneRefusal(config(false, false), 3)).toBeUndefined();
    expect(emptyPruneRefusal(config(true, false, [{ kind: 'k', name: 'n', spec: {} }]), 3)).toBeUndefined();
  });
});
